//! `updatedocument`: MongoDB update operators applied to every document a query matches, as
//! OpenFlow's `UpdateDocument` does with `updateMany` (it also sets `_modifiedby`,
//! `_modifiedbyid` and `_modified`, and never lets `$set` change `_type`). Every updated
//! document's `_version` grows by one and is kept in the history.
//!
//! Operators: `$set`, `$unset`, `$inc`, `$mul`, `$min`, `$max`, `$push` and `$addToSet` (with
//! `$each`), `$pull` (a value, or a query for object items), `$rename`, `$currentDate`; dotted
//! paths create the objects they go through. Error texts are MongoDB's.

use crate::docs::{parse_json, Change, Docs, Writer};
use crate::query::{compare, equal, matches, path};
use openiap_wasm::pb::UpdateResult;
use serde_json::{json, Map, Value};

const OPERATORS: &[&str] = &[
    "$set",
    "$unset",
    "$inc",
    "$mul",
    "$min",
    "$max",
    "$push",
    "$addToSet",
    "$pull",
    "$rename",
    "$currentDate",
];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "double",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn id_json(doc: &Value) -> String {
    format!("{{_id: {}}}", doc.get("_id").unwrap_or(&Value::Null))
}

/// The value at `p`, creating the objects on the way (and the slot itself as `null`).
fn slot<'a>(doc: &'a mut Value, p: &str) -> Result<&'a mut Value, String> {
    let parts: Vec<&str> = p.split('.').collect();
    let mut cur = doc;
    let mut prev = "";
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let fresh = if last {
            Value::Null
        } else {
            Value::Object(Map::new())
        };
        cur = match cur {
            Value::Object(m) => m.entry(part.to_string()).or_insert(fresh),
            Value::Array(a) => {
                let Ok(idx) = part.parse::<usize>() else {
                    return Err(format!(
                        "Cannot create field '{part}' in element {{{prev}: {}}}",
                        Value::Array(a.clone())
                    ));
                };
                if idx >= a.len() {
                    a.resize(idx + 1, Value::Null);
                    a[idx] = fresh;
                }
                &mut a[idx]
            }
            other => {
                return Err(format!(
                    "Cannot create field '{part}' in element {{{prev}: {other}}}"
                ))
            }
        };
        prev = part;
    }
    Ok(cur)
}

fn unset(doc: &mut Value, p: &str) {
    if path(doc, p).is_none() {
        return;
    }
    let (parent, last) = match p.rsplit_once('.') {
        Some((head, last)) => (slot(doc, head).ok(), last),
        None => (Some(doc), p),
    };
    match parent {
        Some(Value::Object(m)) => {
            m.remove(last);
        }
        Some(Value::Array(a)) => {
            // MongoDB leaves a null in the array.
            if let Some(v) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                *v = Value::Null;
            }
        }
        _ => {}
    }
}

fn number(
    op: &str,
    field: &str,
    doc: &Value,
    old: Option<&Value>,
    arg: &Value,
) -> Result<Value, String> {
    if !arg.is_number() {
        let verb = if op == "$inc" {
            "increment"
        } else {
            "multiply"
        };
        return Err(format!(
            "Cannot {verb} with non-numeric argument: {{{field}: {arg}}}"
        ));
    }
    let Some(old) = old else {
        // A missing field becomes the increment, or 0 for $mul.
        return Ok(if op == "$inc" { arg.clone() } else { json!(0) });
    };
    if !old.is_number() {
        return Err(format!(
            "Cannot apply {op} to a value of non-numeric type. {} has the field '{field}' of non-numeric type {}",
            id_json(doc),
            type_name(old)
        ));
    }
    Ok(match (old.as_i64(), arg.as_i64()) {
        (Some(a), Some(b)) if op == "$inc" => json!(a.wrapping_add(b)),
        (Some(a), Some(b)) => json!(a.wrapping_mul(b)),
        _ => {
            let (a, b) = (old.as_f64().unwrap_or(0.0), arg.as_f64().unwrap_or(0.0));
            json!(if op == "$inc" { a + b } else { a * b })
        }
    })
}

/// The items `$push`/`$addToSet` add: `{$each: [...]}` or one value.
fn each(arg: &Value) -> Vec<Value> {
    match arg.get("$each") {
        Some(Value::Array(items)) => items.clone(),
        _ => vec![arg.clone()],
    }
}

fn pulled(item: &Value, cond: &Value) -> bool {
    match (item, cond) {
        (Value::Object(_), Value::Object(c)) if !c.is_empty() => {
            matches(item, cond).unwrap_or(false)
        }
        (_, Value::Object(c)) if c.keys().all(|k| k.starts_with('$')) && !c.is_empty() => {
            matches(&json!({ "v": item }), &json!({ "v": cond })).unwrap_or(false)
        }
        _ => equal(item, cond),
    }
}

fn apply_one(doc: &mut Value, op: &str, field: &str, arg: &Value) -> Result<(), String> {
    let old = path(doc, field).cloned();
    match op {
        "$set" => *slot(doc, field)? = arg.clone(),
        "$unset" => unset(doc, field),
        "$inc" | "$mul" => {
            let v = number(op, field, doc, old.as_ref(), arg)?;
            *slot(doc, field)? = v;
        }
        "$min" | "$max" => {
            let keep_old = old.as_ref().is_some_and(|o| {
                let ord = compare(arg, o);
                if op == "$min" {
                    ord.is_ge()
                } else {
                    ord.is_le()
                }
            });
            if !keep_old {
                *slot(doc, field)? = arg.clone();
            }
        }
        "$push" | "$addToSet" | "$pull" => {
            let mut list = match old {
                None if op == "$pull" => return Ok(()),
                None => vec![],
                Some(Value::Array(a)) => a,
                Some(v) => {
                    return Err(format!(
                        "The field '{field}' must be an array but is of type {} in document {}",
                        type_name(&v),
                        id_json(doc)
                    ))
                }
            };
            match op {
                "$push" => list.extend(each(arg)),
                "$addToSet" => {
                    for v in each(arg) {
                        if !list.iter().any(|x| equal(x, &v)) {
                            list.push(v);
                        }
                    }
                }
                _ => list.retain(|x| !pulled(x, arg)),
            }
            *slot(doc, field)? = Value::Array(list);
        }
        "$rename" => {
            let Some(to) = arg.as_str().filter(|s| !s.is_empty()) else {
                return Err(format!(
                    "The 'to' field for $rename must be a string: {field}: {arg}"
                ));
            };
            if let Some(v) = old {
                unset(doc, field);
                *slot(doc, to)? = v;
            }
        }
        "$currentDate" => {
            let now = crate::util::now_ms();
            *slot(doc, field)? = if arg.get("$type").and_then(Value::as_str) == Some("timestamp") {
                json!(now)
            } else {
                json!(crate::util::iso_time(now))
            };
        }
        other => return Err(unknown(other)),
    }
    Ok(())
}

fn unknown(op: &str) -> String {
    format!(
        "Unknown modifier: {op}. Expected a valid update modifier or pipeline-style update specified as an array"
    )
}

/// Checks an update document: an object whose keys are all known operators, each on an object
/// of fields; `_id` cannot be changed.
pub fn check(update: &Value) -> Result<&Map<String, Value>, String> {
    let Value::Object(ops) = update else {
        return Err("Update document requires atomic operators".into());
    };
    for (op, fields) in ops {
        if !op.starts_with('$') {
            return Err("Update document requires atomic operators".into());
        }
        if !OPERATORS.contains(&op.as_str()) {
            return Err(unknown(op));
        }
        let Value::Object(fields) = fields else {
            return Err(format!(
                "Modifiers operate on fields but we found type {} instead. For example: {{$mod: {{<field>: ...}}}} not {{{op}: {fields}}}",
                type_name(fields)
            ));
        };
        if let Some(f) = fields.keys().find(|f| *f == "_id" || f.starts_with("_id.")) {
            return Err(format!(
                "Performing an update on the path '{f}' would modify the immutable field '_id'"
            ));
        }
    }
    Ok(ops)
}

/// Applies the (checked) update operators `ops` to `doc`.
pub fn apply(doc: &mut Value, ops: &Map<String, Value>) -> Result<(), String> {
    for (op, fields) in ops {
        for (field, arg) in fields.as_object().into_iter().flatten() {
            apply_one(doc, op, field, arg)?;
        }
    }
    Ok(())
}

impl Docs {
    /// `updatedocument`: applies `document` (update operators) to every document of `collection`
    /// matching `query`; all or nothing.
    pub fn update_document(
        &mut self,
        collection: &str,
        query: &str,
        document: &str,
        who: &Writer,
        changes: &mut Vec<Change>,
    ) -> Result<UpdateResult, String> {
        if document.trim().is_empty() {
            return Err("Cannot update null item".into());
        }
        let q = parse_json(query, "query", json!({}))?;
        let mut update = parse_json(document, "document", Value::Null)?;
        if let Some(Value::Object(set)) = update.get_mut("$set") {
            set.remove("_type");
        }
        let ops = check(&update)?;
        let mut updated = vec![];
        for (i, d) in self
            .collections
            .get(collection)
            .map(|c| c.as_slice())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if !matches(d, &q)? {
                continue;
            }
            let mut nd = d.clone();
            apply(&mut nd, ops)?;
            let version = nd.get("_version").and_then(Value::as_i64).unwrap_or(0) + 1;
            if let Value::Object(m) = &mut nd {
                m.insert("_modifiedby".into(), who.name.into());
                m.insert("_modifiedbyid".into(), who.id.into());
                m.insert(
                    "_modified".into(),
                    crate::util::iso_time(crate::util::now_ms()).into(),
                );
                m.insert("_version".into(), version.into());
            }
            updated.push((i, nd));
        }
        let n = updated.len() as i32;
        if let Some(col) = self.collections.get_mut(collection) {
            for (i, nd) in updated {
                self.history.record(collection, &nd);
                changes.push((collection.to_string(), "update", nd.clone()));
                col[i] = nd;
            }
        }
        Ok(UpdateResult {
            acknowledged: true,
            matched_count: n,
            modified_count: n,
            upserted_count: 0,
            upserted_id: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(doc: Value, update: Value) -> Result<Value, String> {
        let mut doc = doc;
        let ops = check(&update)?.clone();
        apply(&mut doc, &ops)?;
        Ok(doc)
    }

    #[test]
    fn operators() {
        let d = json!({"_id": "x", "n": 1, "f": 1.5, "tags": ["a"], "o": {"k": 1}, "s": "t"});
        let out = run(
            d.clone(),
            json!({
                "$set": {"o.k": 2, "new.deep": true},
                "$unset": {"s": ""},
                "$inc": {"n": 2, "f": 1, "fresh": 5},
                "$push": {"tags": {"$each": ["b", "c"]}, "list": 1},
                "$addToSet": {"set": 1},
                "$min": {"lo": 3},
                "$max": {"n": 0},
            }),
        )
        .unwrap();
        assert_eq!(out["o"]["k"], 2);
        assert_eq!(out["new"]["deep"], true);
        assert!(out.get("s").is_none());
        assert_eq!((out["n"].clone(), out["f"].clone()), (json!(3), json!(2.5)));
        assert_eq!(out["fresh"], 5);
        assert_eq!(out["tags"], json!(["a", "b", "c"]));
        assert_eq!(
            (out["list"].clone(), out["set"].clone()),
            (json!([1]), json!([1]))
        );
        assert_eq!(out["lo"], 3);
        let out = run(
            out,
            json!({"$pull": {"tags": "b"}, "$rename": {"lo": "low"}, "$mul": {"n": 2},
                "$addToSet": {"tags": "a"}}),
        )
        .unwrap();
        assert_eq!(out["tags"], json!(["a", "c"]));
        assert_eq!((out["low"].clone(), out["n"].clone()), (json!(3), json!(6)));
        assert!(out.get("lo").is_none());
        let pulled = run(
            json!({"_id": 1, "a": [{"x": 1}, {"x": 2}], "b": [1, 5, 9]}),
            json!({"$pull": {"a": {"x": 2}, "b": {"$gte": 5}}}),
        )
        .unwrap();
        assert_eq!(
            (pulled["a"].clone(), pulled["b"].clone()),
            (json!([{"x": 1}]), json!([1]))
        );
    }

    #[test]
    fn mongodb_errors() {
        let d = json!({"_id": "x", "s": "t"});
        let e = |u: Value| run(d.clone(), u).unwrap_err();
        assert_eq!(
            e(json!({"a": 1})),
            "Update document requires atomic operators"
        );
        assert!(e(json!({"$foo": {"a": 1}})).starts_with("Unknown modifier: $foo."));
        assert!(e(json!({"$set": {"_id": 2}})).contains("immutable field '_id'"));
        assert!(e(json!({"$inc": {"s": 1}}))
            .starts_with("Cannot apply $inc to a value of non-numeric type."));
        assert!(e(json!({"$push": {"s": 1}})).starts_with("The field 's' must be an array"));
        assert!(e(json!({"$set": {"s.x": 1}})).starts_with("Cannot create field 'x'"));
    }
}
