//! The MongoDB query subset of the in-memory collections: matching, ordering, projection and
//! sort keys. Pure functions on `serde_json::Value`s.
//!
//! Query operators: field equality (an array field matches if it contains the value), dotted
//! paths, `$eq`, `$ne`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, `$lte`, `$exists`, `$and`, `$or`.

use serde_json::{Map, Value};
use std::cmp::Ordering;
/// The value at dotted path `p` (array items by index).
pub fn path<'a>(doc: &'a Value, p: &str) -> Option<&'a Value> {
    let mut cur = doc;
    for part in p.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Number(_) => 1,
        Value::String(_) => 2,
        Value::Object(_) => 3,
        Value::Array(_) => 4,
        Value::Bool(_) => 5,
    }
}

/// MongoDB-like ordering of two values (numbers < strings < objects < arrays < booleans).
pub fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ if rank(a) != rank(b) => rank(a).cmp(&rank(b)),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// Equality as MongoDB compares (numbers by value).
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => compare(a, b) == Ordering::Equal,
        _ => a == b,
    }
}

/// The field value equals `v`, or is an array containing it.
fn eq_field(field: Option<&Value>, v: &Value) -> bool {
    match field {
        None => v.is_null(),
        Some(f) => {
            equal(f, v) || matches!(f, Value::Array(items) if items.iter().any(|i| equal(i, v)))
        }
    }
}

fn cmp_field(field: Option<&Value>, v: &Value, ok: fn(Ordering) -> bool) -> bool {
    let test = |f: &Value| rank(f) == rank(v) && ok(compare(f, v));
    match field {
        None => false,
        Some(Value::Array(items)) => items.iter().any(test),
        Some(f) => test(f),
    }
}

fn operator(field: Option<&Value>, op: &str, arg: &Value) -> Result<bool, String> {
    Ok(match op {
        "$eq" => eq_field(field, arg),
        "$ne" => !eq_field(field, arg),
        "$in" | "$nin" => {
            let Value::Array(list) = arg else {
                return Err(format!("{op} needs an array"));
            };
            let found = list.iter().any(|v| eq_field(field, v));
            if op == "$in" {
                found
            } else {
                !found
            }
        }
        "$gt" => cmp_field(field, arg, |o| o == Ordering::Greater),
        "$gte" => cmp_field(field, arg, |o| o != Ordering::Less),
        "$lt" => cmp_field(field, arg, |o| o == Ordering::Less),
        "$lte" => cmp_field(field, arg, |o| o != Ordering::Greater),
        "$exists" => field.is_some() == truthy(arg),
        other => return Err(format!("unknown operator: {other}")),
    })
}

/// JavaScript-like truthiness (for `$exists` and projections).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::Null => false,
        _ => true,
    }
}

/// True if `doc` matches the query object `q`.
pub fn matches(doc: &Value, q: &Value) -> Result<bool, String> {
    let Value::Object(q) = q else {
        return Err("query must be an object".into());
    };
    for (k, cond) in q {
        let ok = match k.as_str() {
            "$and" | "$or" => {
                let Value::Array(parts) = cond else {
                    return Err(format!("{k} needs an array"));
                };
                let mut results = parts.iter().map(|p| matches(doc, p));
                if k == "$and" {
                    results.try_fold(true, |acc, r| r.map(|r| acc && r))?
                } else {
                    results.try_fold(false, |acc, r| r.map(|r| acc || r))?
                }
            }
            k if k.starts_with('$') => return Err(format!("unknown top level operator: {k}")),
            _ => {
                let field = path(doc, k);
                match cond {
                    Value::Object(ops) if ops.keys().next().is_some_and(|o| o.starts_with('$')) => {
                        let mut all = true;
                        for (op, arg) in ops {
                            all &= operator(field, op, arg)?;
                        }
                        all
                    }
                    v => eq_field(field, v),
                }
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Applies a projection (`{a:1, b:1}` keeps those and `_id`; `{a:0}` drops `a`).
pub fn project(doc: &Value, p: &Value) -> Value {
    let (Value::Object(p), Value::Object(d)) = (p, doc) else {
        return doc.clone();
    };
    if p.is_empty() {
        return doc.clone();
    }
    let include = p.iter().any(|(k, v)| k != "_id" && truthy(v));
    let mut out = Map::new();
    if include {
        for (k, v) in p {
            if truthy(v) {
                if let Some(x) = d.get(k) {
                    out.insert(k.clone(), x.clone());
                }
            }
        }
        if p.get("_id").is_none_or(truthy) {
            if let Some(id) = d.get("_id") {
                out.insert("_id".into(), id.clone());
            }
        }
    } else {
        out = d.clone();
        for (k, v) in p {
            if !truthy(v) {
                out.remove(k);
            }
        }
    }
    Value::Object(out)
}

/// The keys of the top-level JSON object in `text`, in written order (serde_json's map sorts
/// them, and sort and index keys depend on their order).
fn key_order(text: &str) -> Vec<String> {
    let (mut depth, mut keys, mut in_str, mut esc, mut start) = (0, vec![], false, false, 0);
    let mut last_str: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => {
                    in_str = false;
                    last_str = Some((start, i));
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                start = i + 1;
            }
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ':' if depth == 1 => {
                if let Some((a, b)) = last_str.take() {
                    keys.push(serde_json::from_str::<String>(&text[a - 1..=b]).unwrap_or_default());
                }
            }
            c if !c.is_whitespace() => last_str = None,
            _ => {}
        }
    }
    keys
}

/// The entries of object `text` (already parsed as `m`) in written order.
pub fn ordered(text: &str, m: Map<String, Value>) -> Vec<(String, Value)> {
    let mut m = m;
    key_order(text)
        .into_iter()
        .filter_map(|k| m.remove(&k).map(|v| (k, v)))
        .collect()
}

/// Sort keys from `orderby`: a JSON object `{field: 1|-1}`, or a field name (`-name` descending).
pub fn sort_keys(orderby: &str) -> Result<Vec<(String, bool)>, String> {
    let t = orderby.trim();
    if t.is_empty() || t == "\"\"" || t == "{}" {
        return Ok(vec![]);
    }
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(m)) => Ok(ordered(t, m)
            .into_iter()
            .map(|(k, v)| (k, v.as_f64().unwrap_or(1.0) >= 0.0))
            .collect()),
        Ok(Value::String(s)) => sort_keys(&s),
        Ok(_) => Err("Invalid orderby".into()),
        Err(_) => Ok(match t.strip_prefix('-') {
            Some(f) => vec![(f.to_string(), false)],
            None => vec![(t.to_string(), true)],
        }),
    }
}

/// Sorts `docs` by `keys` ((field, ascending), first key first).
pub fn sort(docs: &mut [Value], keys: &[(String, bool)]) {
    docs.sort_by(|a, b| {
        for (k, asc) in keys {
            let o = compare(
                path(a, k).unwrap_or(&Value::Null),
                path(b, k).unwrap_or(&Value::Null),
            );
            if o != Ordering::Equal {
                return if *asc { o } else { o.reverse() };
            }
        }
        Ordering::Equal
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_keep_their_written_order() {
        assert_eq!(
            key_order(r#" {"b\"":1, "a":{"x":2}, "c" : [ "d:" ]}"#),
            ["b\"", "a", "c"]
        );
        assert_eq!(
            sort_keys(r#"{"team":1,"age":-1}"#).unwrap(),
            [("team".to_string(), true), ("age".to_string(), false)]
        );
        assert_eq!(sort_keys("-name").unwrap(), [("name".to_string(), false)]);
    }

    #[test]
    fn operators_and_projection() {
        let d = json!({"_id": 1, "a": {"b": [1, 5]}, "s": "x"});
        assert!(matches(&d, &json!({"a.b": 5})).unwrap());
        assert!(matches(&d, &json!({"a.b.1": {"$gte": 5}})).unwrap());
        assert!(!matches(&d, &json!({"s": {"$in": ["y"]}})).unwrap());
        assert!(matches(&d, &json!({"missing": null})).unwrap());
        assert!(matches(&d, &json!({"$foo": 1})).is_err());
        assert_eq!(project(&d, &json!({"s": 1})), json!({"_id": 1, "s": "x"}));
        assert_eq!(project(&d, &json!({"a": 0, "_id": 0}))["s"], "x");
    }
}
