//! Decoding with attribute paths: numbers, types, keys, unknowns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;
use crate::value::{Value, ValueAny};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Pool {
    name: Value<String>,
    max_pods: Value<i64>,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Config {
    node_count: Value<i64>,
    labels: Value<BTreeMap<String, Value<i64>>>,
    node_pool: Value<Vec<Value<Pool>>>,
    single: Value<Pool>,
}

/// msgpack as Terraform writes it: maps with every attribute.
fn msgpack(v: &impl Serialize) -> Vec<u8> {
    rmp_serde::to_vec_named(v).unwrap()
}

fn pool(max_pods: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"name": "p", "max_pods": max_pods})
}

fn config(
    node_count: serde_json::Value,
    max_pods: serde_json::Value,
    label: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "node_count": node_count,
        "labels": {"a": 1, "b": label},
        "node_pool": [pool(3.into()), pool(max_pods)],
        "single": pool(4.into()),
    })
}

fn err(v: serde_json::Value) -> DecodeError {
    from_msgpack::<Config>(&msgpack(&v)).expect_err("must not decode")
}

fn steps(e: &DecodeError) -> String {
    e.path().to_string()
}

#[test]
fn whole_numbers_decode_and_keep_values_null_and_unknown() {
    let v = config(2.into(), 30.into(), 5.into());
    let c: Config = from_msgpack(&msgpack(&v)).unwrap();
    assert_eq!(c.node_count, Value::Value(2));
    assert_eq!(
        c.node_pool.as_ref().unwrap()[1].as_ref().unwrap().max_pods,
        Value::Value(30)
    );
    let mut unknown = msgpack(&config(serde_json::Value::Null, 30.into(), 5.into()));
    // node_count: nil → Null; now swap in an unknown (ext 0) for the whole labels map.
    let c: Config = from_msgpack(&unknown).unwrap();
    assert_eq!(c.node_count, Value::Null);
    let with_unknown = Config {
        node_count: Value::Unknown,
        single: Value::Unknown,
        ..Default::default()
    };
    unknown = msgpack(&with_unknown);
    assert_eq!(from_msgpack::<Config>(&unknown).unwrap(), with_unknown);
    // Whole floats (as JSON state may hold) are whole numbers.
    let c: Config =
        from_json(br#"{"node_count": 3.0, "labels": null, "node_pool": null, "single": null}"#).unwrap();
    assert_eq!(c.node_count, Value::Value(3));
}

#[test]
fn fractional_number_in_a_block_names_the_attribute() {
    let e = err(config(2.into(), 1.5.into(), 5.into()));
    assert_eq!(steps(&e), "node_pool[1].max_pods");
    assert_eq!(
        e.kind,
        DecodeErrorKind::Mismatch {
            expected: "a whole number".into(),
            found: "a fractional number"
        }
    );
    let d = e.diagnostic();
    assert_eq!(d.summary, "Invalid Number");
    assert!(
        d.detail.starts_with(
            "node_pool[1].max_pods must be a whole number, but the value is a fractional number."
        ),
        "{}",
        d.detail
    );
    assert!(!d.detail.contains("1.5"), "{}", d.detail);
}

#[test]
fn oversized_numbers_are_named_by_class() {
    // 2^63 is an exact float64; cty sends numbers no float64 holds as their text.
    for big in [
        serde_json::json!(9.223_372_036_854_776e18),
        serde_json::json!(-1e300),
        serde_json::json!("99999999999999999999"),
    ] {
        let e = err(config(big.clone(), 30.into(), 5.into()));
        assert_eq!(steps(&e), "node_count", "{big}");
        assert_eq!(
            e.kind,
            DecodeErrorKind::Mismatch {
                expected: "a whole number".into(),
                found: "a number beyond the 64-bit integer range (2^63)"
            },
            "{big}"
        );
        assert!(
            !e.diagnostic().detail.contains("9999"),
            "{}",
            e.diagnostic().detail
        );
    }
    let e = err(config(serde_json::json!("12.5"), 30.into(), 5.into()));
    assert_eq!(
        e.kind,
        DecodeErrorKind::Mismatch {
            expected: "a whole number".into(),
            found: "a fractional number"
        }
    );
}

#[test]
fn map_elements_are_keys_and_keys_are_not_shown() {
    let e = err(config(2.into(), 30.into(), 0.25.into()));
    let path = e.path();
    assert_eq!(
        path.steps,
        vec![
            AttributePathStep::Attribute("labels".into()),
            AttributePathStep::Key("b".into())
        ]
    );
    assert!(
        e.diagnostic()
            .detail
            .starts_with("labels[(key, not shown)] must be"),
        "{}",
        e.diagnostic().detail
    );
}

#[test]
fn type_mismatches_name_expected_and_found() {
    let mut v = config(2.into(), 30.into(), 5.into());
    v["single"]["name"] = serde_json::json!(["x"]);
    let e = err(v);
    assert_eq!(steps(&e), "single.name");
    assert_eq!(
        e.kind,
        DecodeErrorKind::Mismatch {
            expected: "a string".into(),
            found: "a list"
        }
    );
    let mut v = config(2.into(), 30.into(), 5.into());
    v["node_pool"] = serde_json::json!("10.0.0.0/8");
    let e = err(v);
    assert_eq!(steps(&e), "node_pool");
    assert_eq!(
        e.kind,
        DecodeErrorKind::Mismatch {
            expected: "a list".into(),
            found: "a string"
        }
    );
    assert!(!e.diagnostic().detail.contains("10.0.0.0"));
}

#[test]
fn undecodable_bytes_are_an_encoding_error_at_the_root() {
    let e = from_msgpack::<Config>(&[0xc1]).unwrap_err();
    assert!(matches!(e.kind, DecodeErrorKind::Encoding(_)), "{e:?}");
    assert!(e.path().steps.is_empty());
    assert_eq!(e.diagnostic().summary, "Undecodable Value");
}

#[test]
fn dynamic_values_still_decode() {
    let bytes = msgpack(&Config {
        node_count: Value::Unknown,
        ..Default::default()
    });
    let any: ValueAny = from_msgpack(&bytes).unwrap();
    let ValueAny::Map(m) = any else { panic!("{any:?}") };
    assert_eq!(m["node_count"], ValueAny::Unknown);
    assert_eq!(m["labels"], ValueAny::Null);
}

/// Value<T> still decodes from other deserializers, by shape.
#[test]
fn values_decode_by_shape_elsewhere() {
    assert_eq!(serde_json::from_str::<Value<i64>>("null").unwrap(), Value::Null);
    assert_eq!(serde_json::from_str::<Value<i64>>("3").unwrap(), Value::Value(3));
    assert_eq!(
        serde_json::from_str::<Value<Vec<Value<String>>>>(r#"["a", null]"#).unwrap(),
        Value::Value(vec![Value::Value("a".to_string()), Value::Null])
    );
    let c = Config {
        node_count: Value::Unknown,
        single: Value::Value(Pool {
            name: Value::Value("p".into()),
            max_pods: Value::Null,
        }),
        ..Default::default()
    };
    assert_eq!(rmp_serde::from_slice::<Config>(&msgpack(&c)).unwrap(), c);
    assert!(serde_json::from_str::<Value<i64>>("1.5").is_err());
}
