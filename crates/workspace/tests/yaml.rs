//! The YAML reader and writer, example by example (most examples after the YAML 1.2 specification's chapter 2).

use serde_json::{Value, json};
use workspace::yaml::{parse, parse_located, to_string};

fn read(text: &str) -> Value {
    parse(text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

fn error_at(text: &str) -> (usize, usize) {
    match parse(text) {
        Ok(v) => panic!("expected an error, read {v}"),
        Err(e) => (e.line, e.column),
    }
}

#[test]
fn sequence_of_scalars() {
    assert_eq!(
        read("- Mark McGwire\n- Sammy Sosa\n- Ken Griffey\n"),
        json!(["Mark McGwire", "Sammy Sosa", "Ken Griffey"])
    );
}

#[test]
fn mapping_scalars_to_scalars_with_comments() {
    let text =
        "hr:  65    # Home runs\navg: 0.278 # Batting average\nrbi: 147   # Runs Batted In\n";
    assert_eq!(read(text), json!({"hr": 65, "avg": 0.278, "rbi": 147}));
}

#[test]
fn mapping_scalars_to_sequences() {
    let text = "american:\n  - Boston Red Sox\n  - Detroit Tigers\nnational:\n- New York Mets\n- Chicago Cubs\n";
    assert_eq!(
        read(text),
        json!({"american": ["Boston Red Sox", "Detroit Tigers"], "national": ["New York Mets", "Chicago Cubs"]})
    );
}

#[test]
fn sequence_of_mappings_and_compact_nesting() {
    let text =
        "-\n  name: Mark McGwire\n  hr:   65\n- name: Sammy Sosa\n  hr:   63\n- - a\n  - b\n";
    assert_eq!(
        read(text),
        json!([{"name": "Mark McGwire", "hr": 65}, {"name": "Sammy Sosa", "hr": 63}, ["a", "b"]])
    );
}

#[test]
fn flow_collections() {
    let text = "seq: [a, 'b c', \"d\", [1, 2], {x: 1}]\nmap: {hr: 65, avg: 0.278, \"q\":true, empty: }\njson: {\"a\":[1,2.5,null,false]}\n";
    assert_eq!(
        read(text),
        json!({"seq": ["a", "b c", "d", [1, 2], {"x": 1}],
               "map": {"hr": 65, "avg": 0.278, "q": true, "empty": null},
               "json": {"a": [1, 2.5, null, false]}})
    );
    assert_eq!(read("[a: 1, b]"), json!([{"a": 1}, "b"]));
    assert_eq!(
        read("[\n  one,\n  two words\n  folded,\n]"),
        json!(["one", "two words folded"])
    );
}

#[test]
fn documents_markers_and_directives() {
    assert_eq!(read("%YAML 1.2\n---\na: 1\n...\n"), json!({"a": 1}));
    assert_eq!(read("# only a comment\n"), Value::Null);
    assert_eq!(read("--- text\n"), json!("text"));
    assert_eq!(error_at("a: 1\n---\nb: 2\n"), (2, 1));
}

#[test]
fn core_schema_types() {
    let text = "a: null\nb: ~\nc:\nd: true\ne: False\nf: 12\ng: -7\nh: 0o14\ni: 0xC\nj: 1.5e3\nk: .5\nl: +12\nm: 007\nn: yes\no: 1.2.3\np: .inf\nq: 18446744073709551615\n";
    assert_eq!(
        read(text),
        json!({"a": null, "b": null, "c": null, "d": true, "e": false, "f": 12, "g": -7, "h": 12,
               "i": 12, "j": 1500.0, "k": 0.5, "l": 12, "m": 7, "n": "yes", "o": "1.2.3", "p": ".inf",
               "q": 18446744073709551615u64})
    );
    assert_eq!(
        read("a: '12'\nb: \"true\"\nc: !!str 12\nd: !!int '3'"),
        json!({"a": "12", "b": "true", "c": "12", "d": 3})
    );
}

#[test]
fn quoted_scalars_and_escapes() {
    let text = r#"unicode: "Sosa did fine.\u263A"
control: "\b1998\t1999\t2000\n"
hex esc: "\x0d\x0a is \r\n"
single: '"Howdy!" he cried.'
quoted: ' # Not a ''comment''.'
pair: "\uD83D\uDE00"
"#;
    assert_eq!(
        read(text),
        json!({"unicode": "Sosa did fine.\u{263A}", "control": "\u{8}1998\t1999\t2000\n",
               "hex esc": "\r\n is \r\n", "single": "\"Howdy!\" he cried.",
               "quoted": " # Not a 'comment'.", "pair": "😀"})
    );
}

#[test]
fn multi_line_flow_scalars_fold() {
    let text = "plain:\n  This unquoted scalar\n  spans many lines.\n\n  New paragraph.\nquoted: \"So does this\n  quoted scalar.\\n\"\nescaped: \"no \\\n   space\"\n";
    assert_eq!(
        read(text),
        json!({"plain": "This unquoted scalar spans many lines.\nNew paragraph.",
               "quoted": "So does this quoted scalar.\n", "escaped": "no space"})
    );
}

#[test]
fn literal_block_scalars_keep_newlines() {
    let text =
        "code: |\n  exports.handler = async (event) => {\n    return event;\n  };\nnext: 1\n";
    assert_eq!(
        read(text),
        json!({"code": "exports.handler = async (event) => {\n  return event;\n};\n", "next": 1})
    );
}

#[test]
fn block_chomping_indicators() {
    let text = "strip: |-\n  text\nclip: |\n  text\nkeep: |+\n  text\n\n\nlast: end\n";
    assert_eq!(
        read(text),
        json!({"strip": "text", "clip": "text\n", "keep": "text\n\n\n", "last": "end"})
    );
}

#[test]
fn folded_block_scalars() {
    let text =
        ">\n Mark McGwire's\n year was crippled\n by a knee injury.\n\n  more indented\n back\n";
    assert_eq!(
        read(text),
        json!("Mark McGwire's year was crippled by a knee injury.\n\n more indented\nback\n")
    );
}

#[test]
fn indentation_indicator() {
    assert_eq!(
        read("a: |2\n    leading spaces\n  x\n"),
        json!({"a": "  leading spaces\nx\n"})
    );
    assert_eq!(read("- |1\n  text\n"), json!([" text\n"]));
}

#[test]
fn anchors_and_aliases() {
    let text = "base: &b {x: 1}\ncopy: *b\nlist:\n  - &s Sammy\n  - *s\n";
    assert_eq!(
        read(text),
        json!({"base": {"x": 1}, "copy": {"x": 1}, "list": ["Sammy", "Sammy"]})
    );
    assert_eq!(error_at("a: *nope\n"), (1, 4));
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(parse(&text).is_err());
}

#[test]
fn cloudformation_short_forms() {
    let text = r#"
Ref: !Ref MyBucket
Att: !GetAtt MyFunction.Arn
AttList: !GetAtt [MyFunction, Arn]
Sub: !Sub "arn:aws:s3:::${Bucket}/*"
Join: !Join
  - ""
  - - "arn:"
    - !Ref AWS::Partition
If: !If [IsProd, !Ref Prod, !Ref "AWS::NoValue"]
Select: !Select [0, !GetAZs ""]
Nested: !Base64 { "Fn::Sub": "x" }
Cond: !Condition IsProd
Eq: !Equals [a, b]
"#;
    assert_eq!(
        read(text),
        json!({
            "Ref": {"Ref": "MyBucket"},
            "Att": {"Fn::GetAtt": ["MyFunction", "Arn"]},
            "AttList": {"Fn::GetAtt": ["MyFunction", "Arn"]},
            "Sub": {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"},
            "Join": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}]]},
            "If": {"Fn::If": ["IsProd", {"Ref": "Prod"}, {"Ref": "AWS::NoValue"}]},
            "Select": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
            "Nested": {"Fn::Base64": {"Fn::Sub": "x"}},
            "Cond": {"Condition": "IsProd"},
            "Eq": {"Fn::Equals": ["a", "b"]}
        })
    );
    assert_eq!(
        read("v: !Sub |\n  line ${A}\n  two\n"),
        json!({"v": {"Fn::Sub": "line ${A}\ntwo\n"}})
    );
    assert_eq!(error_at("a: !Unknown x\n"), (1, 4));
}

#[test]
fn errors_carry_line_and_column() {
    assert_eq!(error_at("a: 1\n  b: 2\n"), (2, 3));
    assert_eq!(error_at("a: [1, 2\n"), (1, 4));
    assert_eq!(error_at("a: \"open\n"), (1, 4));
    assert_eq!(error_at("a: 1\na: 2\n"), (2, 1));
    assert_eq!(error_at("a:\n\t- 1\n"), (2, 1));
    assert_eq!(error_at("a: b: c\n"), (1, 5));
    assert_eq!(error_at("key: \"x\" y\n"), (1, 10));
    assert_eq!(error_at("- a\nb: 1\n"), (2, 1));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(10_000);
    assert!(parse(&deep).is_err());
    let block: String = (0..300)
        .map(|i| format!("{}- \n", " ".repeat(i * 2)))
        .collect();
    assert!(parse(&block).is_err());
}

#[test]
fn locations_point_at_keys_and_items() {
    let (_, locs) =
        parse_located("Resources:\n  Machine:\n    Type: X\n    List:\n      - a\n      - b\n")
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(locs.get("/Resources/Machine/Type"), Some((3, 5)));
    assert_eq!(locs.get("/Resources/Machine/List/1"), Some((6, 9)));
    assert_eq!(locs.get("/Resources/Machine/Nope"), Some((2, 3)));
}

#[test]
fn the_writer_uses_block_style_and_quotes_only_when_needed() {
    let v = json!({
        "Comment": "A plain sentence, with a comma",
        "StartAt": "First",
        "Numbers": ["12", 12, "1.5", "true", true, "null", null, "", "yes", "2024-01-01"],
        "Tricky": ["- dash", "key: value", "a #hash", "{% $x %}", "it's", "tab\there", "bell\u{7}"],
        "Empty": {},
        "None": [],
        "Nested": [{"a": 1, "b": [1, [2, 3]]}, []],
        "Code": "export const handler = async () => {\n  return 1;\n};\n"
    });
    let expected = r#"Comment: A plain sentence, with a comma
StartAt: First
Numbers:
  - '12'
  - 12
  - '1.5'
  - 'true'
  - true
  - 'null'
  - null
  - ''
  - 'yes'
  - '2024-01-01'
Tricky:
  - '- dash'
  - 'key: value'
  - 'a #hash'
  - '{% $x %}'
  - it's
  - "tab\there"
  - "bell\x07"
Empty: {}
None: []
Nested:
  - a: 1
    b:
      - 1
      - - 2
        - 3
  - []
Code: |
  export const handler = async () => {
    return 1;
  };
"#;
    assert_eq!(to_string(&v), expected);
    assert_eq!(read(expected), v);
}

#[test]
fn block_scalars_written_round_trip() {
    for s in [
        "a\nb",
        "a\nb\n",
        "a\nb\n\n\n",
        "\n\nafter empty lines",
        "  indented first\nsecond\n",
        "\n  indented after empty\n",
        "trailing spaces   \n  \n\t tab\n",
        "x\n\n",
        " \n",
        "# not a comment\n--- not a marker\n",
    ] {
        let v = json!({"k": s, "l": [s, {"m": s}]});
        let text = to_string(&v);
        assert_eq!(parse(&text), Ok(v), "{text}");
        let top = Value::String(s.into());
        let text = to_string(&top);
        assert_eq!(parse(&text), Ok(top), "{text}");
    }
}

#[test]
fn the_cloudformation_writer_uses_short_forms_that_read_back() {
    let v = json!({"A": {"Ref": "Fn"}, "B": {"Fn::GetAtt": ["Fn", "Arn"]}, "C": [{"Fn::Sub": "x-${Y}"}],
                   "D": {"Fn::Sub": "multi\nline\n"}, "E": {"Fn::GetAtt": ["A.B", "C"]}, "F": {"Ref": "yes"}});
    let text = workspace::yaml::to_string_cfn(&v);
    assert_eq!(
        text,
        "A: !Ref Fn\nB: !GetAtt Fn.Arn\nC:\n  - !Sub x-${Y}\nD: !Sub |\n  multi\n  line\nE:\n  Fn::GetAtt:\n    - A.B\n    - C\nF: !Ref 'yes'\n"
    );
    assert_eq!(read(&text), v);
}
