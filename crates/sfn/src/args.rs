//! Hand-rolled command-line parsing: `--flag VALUE`, `--flag=VALUE`, switches, positionals, `--`.

/// A parsed command line.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub flags: Vec<(String, String)>,
    pub switches: Vec<String>,
    pub positional: Vec<String>,
}

impl Parsed {
    /// The last value given for `--name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `--name`, in order.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }
}

/// Parses `args` knowing which options take a value and which are switches; anything else
/// starting with `-` is an error.
pub fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Parsed, String> {
    let mut p = Parsed::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            p.positional.extend(it.by_ref().cloned());
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (a.as_str(), None),
            };
            if with_value.contains(&name) {
                let v = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| format!("option {name} needs a value"))?,
                };
                p.flags.push((name.to_string(), v));
            } else if switches.contains(&name) && inline.is_none() {
                p.switches.push(name.to_string());
            } else {
                return Err(format!("unknown option '{a}'"));
            }
        } else {
            p.positional.push(a.clone());
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn values_switches_and_positionals() {
        let p = parse(
            &s(&["a", "--input", "x", "--level=2", "--history", "--", "--b"]),
            &["--input", "--level"],
            &["--history"],
        )
        .unwrap_or_default();
        assert_eq!(p.value("--input"), Some("x"));
        assert_eq!(p.value("--level"), Some("2"));
        assert!(p.has("--history"));
        assert_eq!(p.positional, s(&["a", "--b"]));
    }

    #[test]
    fn unknown_options_and_missing_values_are_errors() {
        assert!(parse(&s(&["--nope"]), &[], &[]).is_err());
        assert!(parse(&s(&["--input"]), &["--input"], &[]).is_err());
    }
}
