//! In-memory document collections with the MongoDB query subset clients use most
//! ([`crate::query`]), projection, orderby/skip/top, a small aggregate pipeline, indexes, update
//! documents ([`crate::update`]), version history (`getdocumentversion`), and change events for
//! `watch`.
//!
//! Aggregate stages: `$match`, `$sort`, `$skip`, `$limit`, `$project`, `$count`.
//! Errors use OpenFlow-like wording and become `error` envelopes.

use crate::query::{matches, ordered, path, project, sort, sort_keys};
use crate::state::ConnId;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A change for watchers: (collection, operation, document).
pub type Change = (String, &'static str, Value);

/// One watch: who, which collection.
#[derive(Debug, Clone)]
pub struct Watch {
    /// The connection that registered it.
    pub conn: ConnId,
    /// The collection it watches.
    pub collection: String,
}

/// All collections, their indexes and the watches.
#[derive(Debug, Default)]
pub struct Docs {
    pub(crate) collections: BTreeMap<String, Vec<Value>>,
    indexes: BTreeMap<String, Vec<Value>>,
    /// Every version of every document written.
    pub(crate) history: crate::history::History,
    /// Watch id → watch.
    pub watches: BTreeMap<String, Watch>,
}

/// Parses a JSON text field; empty means `default`.
pub fn parse_json(text: &str, what: &str, default: Value) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(default);
    }
    serde_json::from_str(text).map_err(|e| format!("Invalid {what}: {e}"))
}

/// A new random id: 24 hex digits like a MongoDB ObjectId.
pub fn new_id() -> String {
    format!(
        "{:016x}{:08x}",
        crate::util::rand_u64(),
        crate::util::rand_u64() as u32
    )
}

fn id_of(doc: &Value) -> Option<String> {
    doc.get("_id").and_then(|v| {
        v.as_str()
            .map(str::to_string)
            .or_else(|| Some(v.to_string()))
    })
}

/// Who writes (for `_createdby`/`_modifiedby`).
pub struct Writer<'a> {
    /// User name.
    pub name: &'a str,
    /// User id.
    pub id: &'a str,
}

impl Docs {
    fn col(&mut self, name: &str) -> &mut Vec<Value> {
        self.collections.entry(name.to_string()).or_default()
    }

    fn check_name(name: &str) -> Result<(), String> {
        if name.is_empty() {
            return Err("collectionname is mandatory".into());
        }
        Ok(())
    }

    /// `query`: matching documents, sorted, skipped, limited, projected.
    pub fn query(
        &self,
        collection: &str,
        q: &str,
        projection: &str,
        orderby: &str,
        skip: i32,
        top: i32,
    ) -> Result<Vec<Value>, String> {
        let q = parse_json(q, "query", json!({}))?;
        let projection = parse_json(projection, "projection", json!({}))?;
        let keys = sort_keys(orderby)?;
        let mut out = self.find(collection, &q)?;
        sort(&mut out, &keys);
        let top = if top <= 0 { 100 } else { top as usize };
        Ok(out
            .into_iter()
            .skip(skip.max(0) as usize)
            .take(top)
            .map(|d| project(&d, &projection))
            .collect())
    }

    fn find(&self, collection: &str, q: &Value) -> Result<Vec<Value>, String> {
        let mut out = vec![];
        for d in self
            .collections
            .get(collection)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
        {
            if matches(d, q)? {
                out.push(d.clone());
            }
        }
        Ok(out)
    }

    /// `count`.
    pub fn count(&self, collection: &str, q: &str) -> Result<usize, String> {
        Ok(self
            .find(collection, &parse_json(q, "query", json!({}))?)?
            .len())
    }

    /// `distinct`: the distinct values of `field` (strings as they are, others as JSON), in
    /// first-seen order; array fields contribute their items.
    pub fn distinct(&self, collection: &str, field: &str, q: &str) -> Result<Vec<String>, String> {
        if field.is_empty() {
            return Err("field is mandatory".into());
        }
        let mut out: Vec<String> = vec![];
        for d in self.find(collection, &parse_json(q, "query", json!({}))?)? {
            let vals = match path(&d, field) {
                Some(Value::Array(a)) => a.clone(),
                Some(v) => vec![v.clone()],
                None => vec![],
            };
            for v in vals {
                let s = match v {
                    Value::String(s) => s,
                    v => v.to_string(),
                };
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// `aggregate` with `$match`, `$sort`, `$skip`, `$limit`, `$project`, `$count`.
    pub fn aggregate(&self, collection: &str, pipeline: &str) -> Result<Vec<Value>, String> {
        let p = parse_json(pipeline, "aggregates", json!([]))?;
        let stages = match p {
            Value::Array(a) => a,
            o @ Value::Object(_) => vec![o],
            _ => return Err("aggregates must be an array".into()),
        };
        let mut docs = self
            .collections
            .get(collection)
            .cloned()
            .unwrap_or_default();
        for st in stages {
            let Some((op, arg)) = st.as_object().and_then(|m| m.iter().next()) else {
                return Err("Invalid pipeline stage".into());
            };
            docs = match op.as_str() {
                "$match" => {
                    let mut keep = vec![];
                    for d in docs {
                        if matches(&d, arg)? {
                            keep.push(d);
                        }
                    }
                    keep
                }
                "$sort" => {
                    sort(&mut docs, &sort_keys(&arg.to_string())?);
                    docs
                }
                "$skip" => docs
                    .into_iter()
                    .skip(arg.as_u64().unwrap_or(0) as usize)
                    .collect(),
                "$limit" => docs
                    .into_iter()
                    .take(arg.as_u64().unwrap_or(0) as usize)
                    .collect(),
                "$project" => docs.iter().map(|d| project(d, arg)).collect(),
                "$count" => vec![json!({ arg.as_str().unwrap_or("count"): docs.len() })],
                other => return Err(format!("Unrecognized pipeline stage name: '{other}'")),
            };
        }
        Ok(docs)
    }

    /// `insertone`: stores `item` (a JSON object) with `_id` and bookkeeping fields.
    pub fn insert(
        &mut self,
        collection: &str,
        item: Value,
        who: &Writer,
        changes: &mut Vec<Change>,
    ) -> Result<Value, String> {
        Self::check_name(collection)?;
        let Value::Object(mut m) = item else {
            return Err("item must be a JSON object".into());
        };
        let id = match m.get("_id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(v) if !v.is_null() && !matches!(v, Value::String(_)) => v.to_string(),
            _ => new_id(),
        };
        if self
            .collections
            .get(collection)
            .is_some_and(|c| c.iter().any(|d| id_of(d).as_deref() == Some(&id)))
        {
            return Err(format!("E11000 duplicate key error collection: {collection} index: _id_ dup key: {{ _id: \"{id}\" }}"));
        }
        m.insert("_id".into(), id.into());
        m.entry("_type").or_insert_with(|| "unknown".into());
        m.insert("_createdby".into(), who.name.into());
        m.insert("_createdbyid".into(), who.id.into());
        m.insert("_modifiedby".into(), who.name.into());
        m.insert("_modifiedbyid".into(), who.id.into());
        m.insert("_version".into(), 0.into());
        let doc = Value::Object(m);
        self.col(collection).push(doc.clone());
        self.history.record(collection, &doc);
        changes.push((collection.to_string(), "insert", doc.clone()));
        Ok(doc)
    }

    /// `updateone`: replaces the document with the same `_id`.
    pub fn update(
        &mut self,
        collection: &str,
        item: Value,
        who: &Writer,
        changes: &mut Vec<Change>,
    ) -> Result<Value, String> {
        Self::check_name(collection)?;
        let Value::Object(mut m) = item else {
            return Err("item must be a JSON object".into());
        };
        let Some(id) = m.get("_id").and_then(|v| id_of(&json!({"_id": v}))) else {
            return Err("item must have an _id".into());
        };
        let col = self.col(collection);
        let Some(slot) = col.iter_mut().find(|d| id_of(d).as_deref() == Some(&id)) else {
            return Err(crate::history::not_found(&id, collection));
        };
        for k in ["_createdby", "_createdbyid", "_type"] {
            if let (false, Some(v)) = (m.contains_key(k), slot.get(k)) {
                m.insert(k.into(), v.clone());
            }
        }
        let version = slot.get("_version").and_then(Value::as_i64).unwrap_or(0) + 1;
        m.insert("_version".into(), version.into());
        m.insert("_modifiedby".into(), who.name.into());
        m.insert("_modifiedbyid".into(), who.id.into());
        *slot = Value::Object(m);
        let doc = slot.clone();
        self.history.record(collection, &doc);
        changes.push((collection.to_string(), "replace", doc.clone()));
        Ok(doc)
    }

    /// `insertorupdateone`: updates the document whose `uniqeness` fields (comma separated,
    /// default `_id`) equal the item's, else inserts.
    pub fn upsert(
        &mut self,
        collection: &str,
        uniqeness: &str,
        item: Value,
        who: &Writer,
        changes: &mut Vec<Change>,
    ) -> Result<Value, String> {
        let fields: Vec<&str> = uniqeness
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let fields = if fields.is_empty() {
            vec!["_id"]
        } else {
            fields
        };
        let mut q = Map::new();
        for f in &fields {
            if let Some(v) = path(&item, f) {
                q.insert(f.to_string(), v.clone());
            }
        }
        let existing = if q.len() == fields.len() {
            self.find(collection, &Value::Object(q))?.into_iter().next()
        } else {
            None
        };
        match existing {
            Some(old) => {
                let mut item = item;
                if let Value::Object(m) = &mut item {
                    m.insert("_id".into(), old["_id"].clone());
                }
                self.update(collection, item, who, changes)
            }
            None => self.insert(collection, item, who, changes),
        }
    }

    /// `deleteone`: removes the document with `_id` = `id`; 1, or an error if there is none.
    pub fn delete_one(
        &mut self,
        collection: &str,
        id: &str,
        changes: &mut Vec<Change>,
    ) -> Result<i32, String> {
        let col = self.col(collection);
        let Some(pos) = col.iter().position(|d| id_of(d).as_deref() == Some(id)) else {
            return Err("item not found or access denied".into());
        };
        let doc = col.remove(pos);
        changes.push((
            collection.to_string(),
            "delete",
            json!({"_id": doc["_id"].clone()}),
        ));
        Ok(1)
    }

    /// `deletemany`: removes the documents matching `q`, or with an `_id` in `ids`.
    pub fn delete_many(
        &mut self,
        collection: &str,
        q: &str,
        ids: &[String],
        changes: &mut Vec<Change>,
    ) -> Result<i32, String> {
        let q = if ids.is_empty() {
            let q = parse_json(q, "query", Value::Null)?;
            if q.is_null() {
                return Err("query or ids is mandatory".into());
            }
            q
        } else {
            json!({"_id": {"$in": ids}})
        };
        let col = self
            .collections
            .get(collection)
            .cloned()
            .unwrap_or_default();
        let mut keep = vec![];
        let mut n = 0;
        for d in col {
            if matches(&d, &q)? {
                n += 1;
                changes.push((
                    collection.to_string(),
                    "delete",
                    json!({"_id": d["_id"].clone()}),
                ));
            } else {
                keep.push(d);
            }
        }
        self.collections.insert(collection.to_string(), keep);
        Ok(n)
    }

    /// `getdocumentversion`: document `id` as it was at `version` (see
    /// [`crate::history::History::version`]).
    pub fn version(&self, collection: &str, id: &str, version: i32) -> Result<Value, String> {
        self.history.version(collection, id, version)
    }

    /// `listcollections`: `[{name, type}]` by name (`includehist` adds nothing here).
    pub fn list(&self) -> Vec<Value> {
        self.collections
            .keys()
            .map(|n| json!({"name": n, "type": "collection"}))
            .collect()
    }

    /// `createcollection`.
    pub fn create(&mut self, name: &str) -> Result<(), String> {
        Self::check_name(name)?;
        self.col(name);
        Ok(())
    }

    /// `dropcollection`.
    pub fn drop_collection(&mut self, name: &str) -> Result<(), String> {
        self.indexes.remove(name);
        self.history.forget(name);
        match self.collections.remove(name) {
            Some(_) => Ok(()),
            None => Err("ns not found".into()),
        }
    }

    /// `getindexes`: `_id_` plus the created ones.
    pub fn get_indexes(&self, collection: &str) -> Vec<Value> {
        let mut v = vec![json!({"v": 2, "key": {"_id": 1}, "name": "_id_"})];
        v.extend(self.indexes.get(collection).cloned().unwrap_or_default());
        v
    }

    /// `createindex`: returns the index name (given, or `field_1_other_-1`).
    pub fn create_index(
        &mut self,
        collection: &str,
        index: &str,
        options: &str,
        name: &str,
    ) -> Result<String, String> {
        Self::check_name(collection)?;
        let Value::Object(key) = parse_json(index, "index", Value::Null)? else {
            return Err("index must be a JSON object".into());
        };
        let name = if name.is_empty() {
            ordered(index, key.clone())
                .iter()
                .map(|(k, v)| format!("{k}_{v}"))
                .collect::<Vec<_>>()
                .join("_")
        } else {
            name.to_string()
        };
        let mut spec = json!({"v": 2, "key": key, "name": name});
        if let Value::Object(o) = parse_json(options, "options", json!({}))? {
            for (k, v) in o {
                spec[k] = v;
            }
        }
        self.col(collection);
        let list = self.indexes.entry(collection.to_string()).or_default();
        list.retain(|i| i["name"] != name.as_str());
        list.push(spec);
        Ok(name)
    }

    /// `dropindex`.
    pub fn drop_index(&mut self, collection: &str, name: &str) -> Result<(), String> {
        let list = self.indexes.entry(collection.to_string()).or_default();
        let before = list.len();
        list.retain(|i| i["name"] != name);
        if list.len() == before {
            return Err(format!("index not found with name [{name}]"));
        }
        Ok(())
    }

    /// Watches of `collection`: (watch id, connection).
    pub fn watchers(&self, collection: &str) -> Vec<(String, ConnId)> {
        self.watches
            .iter()
            .filter(|(_, w)| w.collection == collection)
            .map(|(id, w)| (id.clone(), w.conn))
            .collect()
    }

    /// Forgets the watches of a closed connection.
    pub fn connection_closed(&mut self, conn: ConnId) {
        self.watches.retain(|_, w| w.conn != conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Docs {
        let mut d = Docs::default();
        let w = Writer { name: "u", id: "1" };
        let mut ch = vec![];
        for (i, (name, age, tags)) in [
            ("ann", 31, json!(["a"])),
            ("bob", 25, json!(["b", "a"])),
            ("cid", 40, json!([])),
        ]
        .into_iter()
        .enumerate()
        {
            d.insert(
                "people",
                json!({"_id": format!("p{i}"), "name": name, "age": age, "tags": tags}),
                &w,
                &mut ch,
            )
            .unwrap();
        }
        d
    }

    fn names(v: &[Value]) -> Vec<&str> {
        v.iter().map(|d| d["name"].as_str().unwrap()).collect()
    }

    #[test]
    fn query_subset() {
        let d = db();
        let q = |q: &str| d.query("people", q, "", "name", 0, 0).unwrap();
        assert_eq!(names(&q(r#"{"name":"bob"}"#)), ["bob"]);
        assert_eq!(names(&q(r#"{"age":{"$gt":30}}"#)), ["ann", "cid"]);
        assert_eq!(names(&q(r#"{"age":{"$gte":25,"$lt":40}}"#)), ["ann", "bob"]);
        assert_eq!(
            names(&q(r#"{"name":{"$in":["ann","cid","x"]}}"#)),
            ["ann", "cid"]
        );
        assert_eq!(names(&q(r#"{"tags":"a"}"#)), ["ann", "bob"]);
        assert_eq!(names(&q(r#"{"missing":{"$exists":false}}"#)).len(), 3);
        assert_eq!(
            names(&q(r#"{"$or":[{"name":"ann"},{"age":40}]}"#)),
            ["ann", "cid"]
        );
        assert!(d
            .query("people", "{bad", "", "", 0, 0)
            .unwrap_err()
            .starts_with("Invalid query"));
        let page = d
            .query("people", "{}", r#"{"name":1}"#, r#"{"age":-1}"#, 1, 1)
            .unwrap();
        assert_eq!(page, vec![json!({"_id": "p0", "name": "ann"})]);
        assert_eq!(d.distinct("people", "tags", "{}").unwrap(), ["a", "b"]);
        assert_eq!(d.count("people", r#"{"age":{"$lt":35}}"#).unwrap(), 2);
        let agg = d
            .aggregate(
                "people",
                r#"[{"$match":{"age":{"$gt":26}}},{"$count":"n"}]"#,
            )
            .unwrap();
        assert_eq!(agg, vec![json!({"n": 2})]);
    }

    #[test]
    fn writes_and_changes() {
        let mut d = db();
        let w = Writer { name: "u", id: "1" };
        let mut ch = vec![];
        let up = d
            .update(
                "people",
                json!({"_id": "p1", "name": "bob", "age": 26}),
                &w,
                &mut ch,
            )
            .unwrap();
        assert_eq!(up["_version"], 1);
        let again = d
            .upsert(
                "people",
                "name",
                json!({"name": "bob", "age": 27}),
                &w,
                &mut ch,
            )
            .unwrap();
        assert_eq!(again["_id"], "p1");
        assert_eq!(again["_version"], 2);
        assert_eq!(d.delete_one("people", "p1", &mut ch).unwrap(), 1);
        assert!(d.delete_one("people", "p1", &mut ch).is_err());
        assert_eq!(
            d.delete_many("people", r#"{"age":{"$gt":0}}"#, &[], &mut ch)
                .unwrap(),
            2
        );
        let ops: Vec<&str> = ch.iter().map(|c| c.1).collect();
        assert_eq!(ops, ["replace", "replace", "delete", "delete", "delete"]);
    }
}
