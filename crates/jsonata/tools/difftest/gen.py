import json, os, random, glob
random.seed(1)
root='/work/shared/jsonata-suite/groups'
exprs=[]
for f in sorted(glob.glob(root+'/*/*.json')):
    try: d=json.load(open(f))
    except Exception: continue
    for c in (d if isinstance(d,list) else [d]):
        e=c.get('expr')
        if isinstance(e,str) and len(e)<200 and not any(x in e for x in ['$now','$millis','$random','$shuffle','$eval']):
            exprs.append(e)
inputs=[{"a":[1,{"b":"x"}],"c":{"d":[True,None]},"e":1.5},
        {"Account":{"Order":[{"OrderID":"o1","Product":[{"Name":"A","Price":2,"Quantity":3},{"Name":"B","Price":5.5,"Quantity":1}]},{"OrderID":"o2","Product":[{"Name":"C","Price":1,"Quantity":10}]}]}},
        [1,2,[3,4],"x",{"k":"v"}]]
items=[]
for e in exprs:
    chars=list(e)
    muts={e}
    for _ in range(6):
        if not chars: break
        i=random.randrange(len(chars))
        r=random.random()
        if r<0.4: m=''.join(chars[:i]+chars[i+1:])
        elif r<0.7: m=''.join(chars[:i])
        else:
            j=random.randrange(len(chars)); m=''.join(chars[:i]+[chars[j]]+chars[i:])
        muts.add(m)
    for m in muts:
        items.append({"expr":m,"input":random.choice(inputs)})
json.dump(items,open('/tmp/diff/items.json','w'))
print(len(items))
