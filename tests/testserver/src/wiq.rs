//! Work item queue objects (`addworkitemqueue`, `updateworkitemqueue`, `deleteworkitemqueue`),
//! as OpenFlow keeps them in its `mq` collection: `_id`, `name`, the queue settings, who created
//! and modified it and when, and a `_version` that grows by one on every update. `pushworkitem`
//! and `popworkitem` find them by name or id ([`crate::workitems::Workitems::resolve`]).
//! Roles and ACLs are not modelled (`skiprole` is accepted and ignored; `_acl` is kept as sent).
//!
//! Error wording is OpenFlow's (src/Messages/Message.ts, `AddWorkitemQueue`,
//! `UpdateWorkitemQueue`, `DeleteWorkitemQueue`).

use crate::docs::Writer;
use crate::util::now_ms;
use crate::workitems::{derived_id, ts, Workitems};
use openiap_wasm::pb::WorkItemQueue;

/// Retries of a queue created with `maxretries` below 1 (as OpenFlow).
const DEFAULT_MAX_RETRIES: i32 = 3;

fn exists(name: &str) -> String {
    format!("Work item queue with name {name} already exists")
}

fn stamp(q: &mut WorkItemQueue, who: &Writer) {
    q.modified = Some(ts(now_ms()));
    q.modifiedby = who.name.to_string();
    q.modifiedbyid = who.id.to_string();
}

impl Workitems {
    /// `addworkitemqueue`: stores a new queue; its id is the one its implicit queue had (so work
    /// items already pushed by name belong to it).
    pub fn add_queue(&mut self, req: WorkItemQueue, who: &Writer) -> Result<WorkItemQueue, String> {
        if req.name.is_empty() {
            return Err("Name is mandatory".into());
        }
        if self.queues.iter().any(|q| q.name == req.name) {
            return Err(exists(&req.name));
        }
        let mut id = derived_id(&req.name);
        if self.queues.iter().any(|q| q.id == id) {
            // The derived id belongs to a queue renamed away from this name.
            id = crate::docs::new_id();
        }
        let mut q = WorkItemQueue {
            id,
            maxretries: if req.maxretries < 1 {
                DEFAULT_MAX_RETRIES
            } else {
                req.maxretries
            },
            createdby: who.name.to_string(),
            createdbyid: who.id.to_string(),
            created: Some(ts(now_ms())),
            version: 0,
            ..req
        };
        stamp(&mut q, who);
        q.modified = q.created;
        self.queues.push(q.clone());
        Ok(q)
    }

    fn find_queue(&self, name: &str, id: &str) -> Result<usize, String> {
        if name.is_empty() && id.is_empty() {
            return Err("Name or _id is mandatory".into());
        }
        if !id.is_empty() {
            return self
                .queues
                .iter()
                .position(|q| q.id == id)
                .ok_or_else(|| format!("Work item queue with _id {id} not found."));
        }
        self.queues
            .iter()
            .position(|q| q.name == name)
            .ok_or_else(|| format!("Work item queue with name {name} not found."))
    }

    fn purge(&mut self, wiqid: &str) {
        self.items.retain(|w| w.wiqid != wiqid);
    }

    /// `updateworkitemqueue`: finds the queue by `_id`, else by `name`; renames it if the name
    /// differs, takes every non-empty setting, `_version` + 1; `purge` deletes its work items.
    pub fn update_queue(
        &mut self,
        req: WorkItemQueue,
        purge: bool,
        who: &Writer,
    ) -> Result<WorkItemQueue, String> {
        let i = self.find_queue(&req.name, &req.id)?;
        if !req.name.is_empty() && req.name != self.queues[i].name {
            if self.queues.iter().any(|q| q.name == req.name) {
                return Err(exists(&req.name));
            }
            let id = self.queues[i].id.clone();
            for w in self.items.iter_mut().filter(|w| w.wiqid == id) {
                w.wiq = req.name.clone();
            }
        }
        let q = &mut self.queues[i];
        let text = |new: String, old: &mut String| {
            if !new.is_empty() {
                *old = new;
            }
        };
        text(req.name, &mut q.name);
        text(req.workflowid, &mut q.workflowid);
        text(req.robotqueue, &mut q.robotqueue);
        text(req.amqpqueue, &mut q.amqpqueue);
        text(req.projectid, &mut q.projectid);
        text(req.usersrole, &mut q.usersrole);
        text(req.success_wiq, &mut q.success_wiq);
        text(req.success_wiqid, &mut q.success_wiqid);
        text(req.failed_wiq, &mut q.failed_wiq);
        text(req.failed_wiqid, &mut q.failed_wiqid);
        text(req.packageid, &mut q.packageid);
        if req.maxretries > 0 {
            q.maxretries = req.maxretries;
        }
        if req.retrydelay > 0 {
            q.retrydelay = req.retrydelay;
        }
        if req.initialdelay > 0 {
            q.initialdelay = req.initialdelay;
        }
        if !req.acl.is_empty() {
            q.acl = req.acl;
        }
        q.version += 1;
        stamp(q, who);
        let q = q.clone();
        if purge {
            self.purge(&q.id);
        }
        Ok(q)
    }

    /// `deleteworkitemqueue`: by `wiqid`, else by `wiq`; a queue with work items is only deleted
    /// with `purge` (which deletes them).
    pub fn delete_queue(&mut self, wiq: &str, wiqid: &str, purge: bool) -> Result<(), String> {
        let i = self.find_queue(wiq, wiqid)?;
        let (id, name) = (self.queues[i].id.clone(), self.queues[i].name.clone());
        if purge {
            self.purge(&id);
        } else if self.items.iter().any(|w| w.wiqid == id) {
            return Err(format!(
                "Work item queue {name} is not empty, enable purge to delete"
            ));
        }
        self.queues.remove(i);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openiap_wasm::pb::PushWorkitemRequest;

    fn push(w: &mut Workitems, wiq: &str, wiqid: &str) -> Result<String, String> {
        let req = PushWorkitemRequest {
            wiq: wiq.into(),
            wiqid: wiqid.into(),
            ..Default::default()
        };
        w.push(req, "u", &mut Default::default()).map(|i| i.wiqid)
    }

    #[test]
    fn queue_objects_own_their_items() {
        let who = Writer { name: "u", id: "1" };
        let mut w = Workitems::default();
        let early = push(&mut w, "q1", "").unwrap();
        let q = w
            .add_queue(
                WorkItemQueue {
                    name: "q1".into(),
                    ..Default::default()
                },
                &who,
            )
            .unwrap();
        assert_eq!(
            (q.id.as_str(), q.version, q.maxretries),
            (early.as_str(), 0, 3)
        );
        assert_eq!(
            w.add_queue(q.clone(), &who).unwrap_err(),
            "Work item queue with name q1 already exists"
        );
        assert_eq!(push(&mut w, "", &q.id).unwrap(), q.id);
        let renamed = WorkItemQueue {
            id: q.id.clone(),
            name: "q2".into(),
            ..Default::default()
        };
        let r = w.update_queue(renamed, false, &who).unwrap();
        assert_eq!((r.name.as_str(), r.version), ("q2", 1));
        assert_eq!(push(&mut w, "q2", "").unwrap(), q.id);
        assert_eq!(
            w.resolve("q1", "").unwrap(),
            ("q2".to_string(), q.id.clone())
        );
        assert_eq!(
            w.delete_queue("q2", "", false).unwrap_err(),
            "Work item queue q2 is not empty, enable purge to delete"
        );
        w.delete_queue("", &q.id, true).unwrap();
        assert!(w.items.is_empty());
        assert_eq!(
            w.delete_queue("q2", "", false).unwrap_err(),
            "Work item queue with name q2 not found."
        );
        assert_eq!(
            w.update_queue(Default::default(), false, &who).unwrap_err(),
            "Name or _id is mandatory"
        );
    }
}
