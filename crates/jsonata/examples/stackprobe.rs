//! Measures how much native stack deep JSONata nesting needs: `stackprobe KB parse|eval` (run in release).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kb: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1024);
    let what = args.get(2).cloned().unwrap_or_default();
    let h = std::thread::Builder::new()
        .stack_size(kb * 1024)
        .spawn(move || {
            if what == "chain" {
                let src = "1+".repeat(100_000) + "1";
                format!(
                    "{:?}",
                    jsonata::Expression::parse(&src)
                        .map(|_| ())
                        .map_err(|e| e.code)
                )
            } else if what == "parse" {
                let src = format!("{}1{}", "(".repeat(400), ")".repeat(400));
                format!(
                    "{:?}",
                    jsonata::Expression::parse(&src)
                        .map(|_| ())
                        .map_err(|e| e.code)
                )
            } else {
                format!(
                    "{:?}",
                    jsonata::evaluate("($f := function($n){1 + $f($n+1)}; $f(0))", None)
                        .map_err(|e| e.code)
                )
            }
        });
    println!("{} KB {:?}", kb, h.map(|h| h.join()));
}
