import json
items=json.load(open('/tmp/diff/items.json'))
js=[json.loads(l) for l in open('/tmp/diff/js.out')]
rs=[json.loads(l) for l in open('/tmp/diff/rs.out')]
def norm(v):
    if isinstance(v,float) and v.is_integer(): return int(v)
    if isinstance(v,list): return [norm(x) for x in v]
    if isinstance(v,dict): return {k:norm(x) for k,x in v.items()}
    return v
diffs=[]
for it,a,b in zip(items,js,rs):
    if norm(a)!=norm(b):
        if 'e' in a and str(a['e']).startswith(('D1011','D1012')) and b.get('e')=='U1001': continue
        diffs.append((it['expr'],a,b))
print(len(diffs))
from collections import Counter
c=Counter((str(list(a.keys())[0])+':'+str(a.get('e',''))[:8], str(list(b.keys())[0])+':'+str(b.get('e',''))[:8]) for _,a,b in diffs)
for k,v in c.most_common(40): print(v,k)
json.dump(diffs,open('/tmp/diff/diffs.json','w'),indent=0)
