//! A paid call never fails over a representational surprise: every operation of the Pgy crate, called
//! through its public API against a loopback server answering with **its own documented example**, mutated
//! the way real responses differ from one example.
//!
//! For each call: the result is `Ok`; `raw_data()` is exactly what the server sent; and the reported
//! mismatches are exactly the places that cannot be represented, as computed by [`misfits`], an
//! independent statement of the documented rules (crate docs, "Response types") over the operation's IR.

#![allow(deprecated)] // deprecated operations are called on purpose

mod common;

use std::future::Future;
use std::pin::Pin;

use codegen::ir::{Api, Shape};
use justoneapi_xiaohongshu_pgy::ops::{
    get_kol_data_summary_v1, get_kol_data_summary_v2, get_kol_fans_trend_v1, get_kol_note_list_v1,
};
use justoneapi_xiaohongshu_pgy::{ApiResponse, Client, Error, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What a call returned, whatever its `Data` type.
struct Outcome {
    mismatches: Vec<String>,
    raw: Value,
}

type Call = fn(Client) -> Pin<Box<dyn Future<Output = Result<Outcome, Error>>>>;

fn outcome<T>(r: ApiResponse<T>) -> Outcome {
    Outcome {
        mismatches: r.mismatches.iter().map(ToString::to_string).collect(),
        raw: r.raw_data(),
    }
}

/// Every operation of the crate with a way to call it (its required arguments).
macro_rules! calls {
    ($( $path:literal => |$c:ident| $call:expr ),* $(,)?) => {
        vec![$( ($path, (|$c: Client| Box::pin(async move { $call.await.map(outcome) }) as Pin<Box<_>>) as Call) ),*]
    };
}

fn operations() -> Vec<(&'static str, Call)> {
    calls![
        "/api/xiaohongshu-pgy/api/pgy/content_square/search_note_v2/v1" => |c| c.api_pgy_content_square_search_note_v2_v1(),
        "/api/xiaohongshu-pgy/api/pgy/kol/data/core_data/v1" => |c| c.api_pgy_kol_data_core_data_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/cooperator/blogger/v2/v1" => |c| c.api_solar_cooperator_blogger_v2_v1(),
        "/api/xiaohongshu-pgy/api/solar/cooperator/user/blogger/userId/v1" => |c| c.api_solar_cooperator_user_blogger_user_id_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_overall_new_history/v1" => |c| c.api_solar_kol_data_user_id_fans_overall_new_history_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1" => |c| c.api_solar_kol_data_user_id_fans_profile_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/dataV2/costEffective/v1" => |c| c.api_solar_kol_data_v2_cost_effective_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/dataV2/kolContentTags/v1" => |c| c.api_solar_kol_data_v2_kol_content_tags_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/dataV2/kolFeatureTags/v1" => |c| c.api_solar_kol_data_v2_kol_feature_tags_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/dataV2/notesDetail/v1" => |c| c.api_solar_kol_data_v2_notes_detail_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/dataV3/dataSummary/v1" => |c| c.api_solar_kol_data_v3_data_summary_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/dataV3/fansSummary/v1" => |c| c.api_solar_kol_data_v3_fans_summary_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/dataV3/notesRate/v1" => |c| c.api_solar_kol_data_v3_notes_rate_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/kol/get_similar_kol/v1" => |c| c.api_solar_kol_get_similar_kol_v1("u"),
        "/api/xiaohongshu-pgy/api/solar/note/noteId/detail/v1" => |c| c.api_solar_note_note_id_detail_v1("n"),
        "/api/xiaohongshu-pgy/get-kol-core-data/v1" => |c| c.get_kol_core_data_v1("k"),
        "/api/xiaohongshu-pgy/get-kol-cost-effective/v1" => |c| c.get_kol_cost_effective_v1("k"),
        "/api/xiaohongshu-pgy/get-kol-data-summary/v1" => |c| c.get_kol_data_summary_v1("k", get_kol_data_summary_v1::Business::V0),
        "/api/xiaohongshu-pgy/get-kol-data-summary/v2" => |c| c.get_kol_data_summary_v2("k", get_kol_data_summary_v2::Business::V0),
        "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1" => |c| c.get_kol_fans_portrait_v1("k"),
        "/api/xiaohongshu-pgy/get-kol-fans-summary/v1" => |c| c.get_kol_fans_summary_v1("k"),
        "/api/xiaohongshu-pgy/get-kol-fans-trend/v1" => |c| c.get_kol_fans_trend_v1("k", get_kol_fans_trend_v1::DateType::V1, get_kol_fans_trend_v1::IncreaseType::V1),
        "/api/xiaohongshu-pgy/get-kol-info/v1" => |c| c.get_kol_info_v1("k"),
        "/api/xiaohongshu-pgy/get-kol-note-list/v1" => |c| c.get_kol_note_list_v1("k", get_kol_note_list_v1::AdSwitch::V1, get_kol_note_list_v1::OrderType::V1),
        "/api/xiaohongshu-pgy/get-kol-note-rate/v1" => |c| c.get_kol_note_rate_v1("k"),
        "/api/xiaohongshu-pgy/get-note-detail/v1" => |c| c.get_note_detail_v1("n"),
    ]
}

/// The crate's API as generated (overlays and type memory applied), and each operation's documented example
/// (the one its vendored English definition carries; an operation upstream never gave one has none).
fn api_and_examples() -> (Api, Vec<(String, Value)>) {
    let root = common::workspace_root();
    let api = common::repo_api();
    let examples = api
        .operations
        .iter()
        .filter_map(|op| {
            let checked = codegen::catalogue::layout::check_path(&op.path).unwrap();
            let rel = codegen::catalogue::layout::rel_path(op.method, &checked, codegen::manifest::Lang::En);
            let doc: Value = serde_json::from_slice(&std::fs::read(root.join("specs").join(rel)).ok()?).unwrap();
            let example =
                doc["paths"][&op.path]["get"]["responses"]["default"]["content"]["application/json"]["example"].clone();
            (!example.is_null()).then(|| (op.path.clone(), example))
        })
        .collect();
    (api, examples)
}

// --- the mutations ---------------------------------------------------------------------------------------

fn map_leaves(v: &Value, f: &dyn Fn(&Value) -> Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|i| map_leaves(i, f)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, x)| (k.clone(), map_leaves(x, f))).collect()),
        leaf => f(leaf),
    }
}

fn every_value_null(data: &Value) -> Value {
    map_leaves(data, &|_| Value::Null)
}

/// `12` -> `12.0`: a float whose meaning is the integer.
fn integers_as_floats(data: &Value) -> Value {
    map_leaves(data, &|v| match v.as_i64() {
        Some(n) if v.is_i64() || v.is_u64() => json!(n as f64),
        _ => v.clone(),
    })
}

/// `12` -> `12.5`: a fraction where the example showed an integer.
fn integers_with_fractions(data: &Value) -> Value {
    map_leaves(data, &|v| match v.as_i64() {
        Some(n) if v.is_i64() || v.is_u64() => json!(n as f64 + 0.5),
        _ => v.clone(),
    })
}

/// `12` -> `"12"`, `0.5` -> `"0.5"`.
fn numbers_as_strings(data: &Value) -> Value {
    map_leaves(data, &|v| match v {
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    })
}

/// `"12"` -> `12`, `"0.5"` -> `0.5`.
fn digit_strings_as_numbers(data: &Value) -> Value {
    map_leaves(
        data,
        &|v| match v.as_str().and_then(|s| s.parse::<serde_json::Number>().ok()) {
            Some(n) => Value::Number(n),
            None => v.clone(),
        },
    )
}

fn empty_object(_: &Value) -> Value {
    json!({})
}

/// Objects where scalars were, and scalars where objects and lists were.
fn wrong_kinds(data: &Value) -> Value {
    fn flip(v: &Value, depth: usize) -> Value {
        match v {
            Value::Object(_) if depth > 0 => json!("an object was here"),
            Value::Array(_) if depth > 0 => json!({"list": "was here"}),
            Value::Object(map) => Value::Object(map.iter().map(|(k, x)| (k.clone(), flip(x, depth + 1))).collect()),
            Value::Array(items) => Value::Array(items.iter().map(|x| flip(x, depth + 1)).collect()),
            Value::Null => Value::Null,
            _ => json!({"x": 1}),
        }
    }
    flip(data, 0)
}

/// A way real responses differ from the one example.
type Mutation = fn(&Value) -> Value;

const MUTATIONS: &[(&str, Mutation)] = &[
    ("every value null", every_value_null),
    ("integers as floats", integers_as_floats),
    ("integers with fractions", integers_with_fractions),
    ("numbers as strings", numbers_as_strings),
    ("digit strings as numbers", digit_strings_as_numbers),
    ("data: {}", empty_object),
    ("wrong kinds", wrong_kinds),
];

// --- the rules, stated independently of the runtime ------------------------------------------------------

fn plain(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

fn child(path: &str, key: &str) -> String {
    if plain(key) {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

fn fits_integer(v: &Value) -> bool {
    let from_f64 = |f: f64| f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0;
    match v {
        Value::Number(n) => n.as_i64().is_some() || n.as_f64().is_some_and(|f| n.as_u64().is_none() && from_f64(f)),
        Value::String(s) => {
            s.trim().parse::<i64>().is_ok() || s.trim().parse::<f64>().is_ok_and(|f| f.is_finite() && from_f64(f))
        }
        _ => false,
    }
}

/// Paths (with what was expected) of the values of `v` that a type of `shape` cannot hold; `element` marks a
/// list or map element, where `null` is a misfit unless `null` was seen in the example.
fn misfits(shape: &Shape, v: &Value, path: &str, element: bool, out: &mut Vec<String>) {
    let mut miss = |expected: &str| out.push(format!("{path}: expected {expected}"));
    match (shape, v) {
        (Shape::Any, _) => {}
        (Shape::Optional(_), Value::Null) => {}
        (Shape::Optional(inner), _) => misfits(inner, v, path, element, out),
        (_, Value::Null) if !element => {}
        (Shape::Integer, v) if fits_integer(v) => {}
        (Shape::Number, Value::Number(_)) => {}
        (Shape::Number, Value::String(s)) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {}
        (Shape::String, Value::String(_) | Value::Number(_) | Value::Bool(_)) => {}
        (Shape::Bool, Value::Bool(_)) => {}
        (Shape::Bool, v)
            if [
                json!(0),
                json!(1),
                json!("true"),
                json!("false"),
                json!("0"),
                json!("1"),
            ]
            .contains(v) => {}
        (Shape::Array(item), Value::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                misfits(item, x, &format!("{path}[{i}]"), true, out);
            }
        }
        (Shape::Map(value), Value::Object(map)) => {
            for (k, x) in map {
                misfits(value, x, &child(path, k), true, out);
            }
        }
        (Shape::Object { fields, rest }, Value::Object(map)) => {
            // In the order the body lists the keys, as the decoder meets them.
            for (k, x) in map {
                match (fields.iter().find(|f| &f.name == k), rest) {
                    (Some(f), _) => misfits(&f.shape, x, &child(path, k), false, out),
                    (None, Some(rest)) => misfits(rest, x, &child(path, k), true, out),
                    (None, None) => {}
                }
            }
        }
        (Shape::Integer, _) => miss("integer"),
        (Shape::Number, _) => miss("number"),
        (Shape::String, _) => miss("string"),
        (Shape::Bool, _) => miss("boolean"),
        (Shape::Array(_), _) => miss("array"),
        (Shape::Map(_) | Shape::Object { .. }, _) => miss("object"),
    }
}

#[tokio::test]
async fn every_operation_survives_every_mutation_of_its_own_example() {
    let (api, examples) = api_and_examples();
    let operations = operations();
    assert_eq!(
        operations.len(),
        api.operations.len(),
        "every operation of the crate is called"
    );
    let mut calls = 0;
    let mut reported = 0;
    for (op_path, call) in operations {
        let op = api.operations.iter().find(|o| o.path == op_path).expect(op_path);
        // An operation upstream never documented an example for has nothing of its own to mutate.
        let Some((_, example)) = examples.iter().find(|(p, _)| p == op_path) else {
            continue;
        };
        let shape = op.response.as_ref().map_or(Shape::Any, |r| r.shape.clone());
        for (name, mutate) in MUTATIONS {
            let mut body = example.clone();
            body["data"] = mutate(&example["data"]);
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path(op_path))
                .respond_with(ResponseTemplate::new(200).set_body_json(&body))
                .expect(1)
                .mount(&server)
                .await;
            let client = Client::builder("t")
                .base_url(server.uri())
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap();
            let got = match call(client).await {
                Ok(got) => got,
                Err(e) => panic!("{op_path}, {name}: the call failed: {e}"),
            };
            assert_eq!(got.raw, body["data"], "{op_path}, {name}: raw JSON is what was sent");
            let mut expected = Vec::new();
            misfits(&shape, &body["data"], "data", false, &mut expected);
            let found: Vec<String> = got
                .mismatches
                .iter()
                .map(|m| m.split_once(", found").map_or(m.as_str(), |(head, _)| head).to_owned())
                .collect();
            assert_eq!(found, expected, "{op_path}, {name}");
            calls += 1;
            reported += found.len();
        }
    }
    assert_eq!(calls, examples.len() * MUTATIONS.len());
    assert!(examples.len() >= 25, "{} operations with an example", examples.len());
    // The mutations do produce values that cannot be represented, and they are all reported.
    assert!(reported > 100, "{reported} mismatches reported in all");
}

#[tokio::test]
async fn unmutated_examples_fit_exactly() {
    let (api, examples) = api_and_examples();
    for (op_path, call) in operations() {
        let Some((_, example)) = examples.iter().find(|(p, _)| p == op_path) else {
            continue;
        };
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(op_path))
            .respond_with(ResponseTemplate::new(200).set_body_json(example))
            .mount(&server)
            .await;
        let client = Client::builder("t").base_url(server.uri()).build().unwrap();
        let got = call(client).await.unwrap();
        assert!(got.mismatches.is_empty(), "{op_path}: {:?}", got.mismatches);
        assert_eq!(got.raw, example["data"]);
        assert!(api.operations.iter().any(|o| o.path == op_path));
    }
}

/// Strings decode into `Text`: it reads, compares and serializes like the string upstream sent, inline or on
/// the heap (past 24 bytes), and other representations of a string are converted by the same rules.
#[test]
fn strings_decode_into_text_that_reads_like_the_string_sent() {
    use justoneapi_xiaohongshu_pgy::ops::get_kol_fans_portrait_v1::Data;
    use justoneapi_xiaohongshu_pgy::Text;

    let long = "内蒙古自治区呼和浩特市新城区"; // 42 bytes: past the inline storage
    let body = json!({
        "interests": [{"name": "美食", "percent": 0.5}, {"name": long}, {"name": 12}, {"name": true}],
        "dateKey": "2026-08-21"
    });
    let (data, mismatches) = justoneapi_runtime::de::from_slice::<Data>(body.to_string().as_bytes()).unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");
    let names: Vec<&str> = data.interests.iter().map(|i| i.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["美食", long, "12", "true"]);

    let short = data.interests[0].name.clone().unwrap();
    assert_eq!(short, "美食");
    assert_eq!("美食", short);
    assert_eq!(short, String::from("美食"));
    assert_eq!(format!("{short} {short:?}"), "美食 \"美食\"");
    assert_eq!(String::from(data.interests[1].name.clone().unwrap()), long);
    assert_eq!(data.date_key.as_deref().map(str::len), Some(10));
    assert_eq!(Text::from("a"), "a".parse::<Text>().unwrap());

    // Serialized back, the data is what was sent (as far as the type has fields for it).
    let again = serde_json::to_value(&data.interests[1]).unwrap();
    assert_eq!(again, json!({"name": long, "percent": null}));
    let text: Text = serde_json::from_value(json!("x")).unwrap();
    assert_eq!(text, "x");
    assert!(
        serde_json::from_value::<Text>(json!(1)).is_err(),
        "Text's own Deserialize is strict"
    );
}
