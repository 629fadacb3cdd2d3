//! Times one expression: `bench EXPR [RUNS] [INPUT.json]` prints the fastest parse+evaluate time.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let expr = args.get(1).cloned().unwrap_or_else(|| "1".into());
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let env = jsonata::Env::default();
    let input: Option<serde_json::Value> = args
        .get(3)
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str(&t).ok());
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let r = jsonata::Expression::parse(&expr)
            .and_then(|e| e.evaluate(input.as_ref(), &serde_json::Map::new(), &env));
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        best = best.min(ms);
        if r.is_err() {
            println!("error: {:?}", r.err().map(|e| e.code));
            break;
        }
    }
    println!("{:.3} ms  {}", best, expr);
}
