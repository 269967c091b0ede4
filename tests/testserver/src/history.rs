//! Version history of documents, for `getdocumentversion` (OpenFlow keeps it in
//! `<collection>_hist`). Every write stores the whole document as it is after the write, under
//! its `_version` (0 on insert, +1 on every update); deleted documents keep their history.

use serde_json::Value;
use std::collections::BTreeMap;

/// collection → document id → snapshots in `_version` order.
#[derive(Debug, Default)]
pub struct History {
    docs: BTreeMap<String, BTreeMap<String, Vec<Value>>>,
}

/// A document's `_id` as text (strings as they are, anything else as JSON).
pub fn id_text(doc: &Value) -> Option<String> {
    doc.get("_id").filter(|v| !v.is_null()).map(|v| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    })
}

fn version_of(doc: &Value) -> i64 {
    doc.get("_version").and_then(Value::as_i64).unwrap_or(0)
}

impl History {
    /// Stores `doc` (as written) as the snapshot of its `_version`.
    pub fn record(&mut self, collection: &str, doc: &Value) {
        let Some(id) = id_text(doc) else { return };
        let list = self
            .docs
            .entry(collection.to_string())
            .or_default()
            .entry(id)
            .or_default();
        let v = version_of(doc);
        list.retain(|d| version_of(d) != v);
        list.push(doc.clone());
        list.sort_by_key(version_of);
    }

    /// Forgets a dropped collection.
    pub fn forget(&mut self, collection: &str) {
        self.docs.remove(collection);
    }

    /// The document `id` as it was at `version`: the newest snapshot with `_version <= version`
    /// (the oldest one if `version` predates it); a negative `version`, or one past the newest,
    /// gives the newest (as OpenFlow's `GetDocumentVersion`). Errors as OpenFlow words them:
    /// an empty id is `Id cannot be null`; an unknown id is not found.
    pub fn version(&self, collection: &str, id: &str, version: i32) -> Result<Value, String> {
        if id.is_empty() {
            return Err("Id cannot be null".into());
        }
        let list = self
            .docs
            .get(collection)
            .and_then(|c| c.get(id))
            .filter(|l| !l.is_empty())
            .ok_or_else(|| not_found(id, collection))?;
        let doc = if version < 0 {
            list.last()
        } else {
            list.iter()
                .rev()
                .find(|d| version_of(d) <= version as i64)
                .or(list.first())
        };
        Ok(doc.cloned().expect("non-empty"))
    }
}

/// OpenFlow's wording for a document id that is not in a collection (DatabaseConnection.ts,
/// `UpdateOne`).
pub fn not_found(id: &str, collection: &str) -> String {
    format!("item {id} not found in {collection} or Access Denied")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_are_kept_and_looked_up_like_openflow() {
        let mut h = History::default();
        for v in 0..3 {
            h.record("c", &json!({"_id": "a", "n": v * 10, "_version": v}));
        }
        assert_eq!(h.version("c", "a", 1).unwrap()["n"], 10);
        assert_eq!(h.version("c", "a", 0).unwrap()["n"], 0);
        assert_eq!(h.version("c", "a", -1).unwrap()["n"], 20);
        assert_eq!(h.version("c", "a", 99).unwrap()["n"], 20);
        assert_eq!(h.version("c", "", 0).unwrap_err(), "Id cannot be null");
        assert_eq!(
            h.version("c", "zz", 0).unwrap_err(),
            "item zz not found in c or Access Denied"
        );
        h.forget("c");
        assert!(h.version("c", "a", 0).is_err());
    }
}
