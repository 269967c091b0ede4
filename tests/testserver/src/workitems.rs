//! Work items: push, pop (by priority, then age, once `nextrun` is due), update (with
//! OpenFlow's retry rule) and delete. A queue is either a stored work item queue object
//! ([`crate::wiq`], `addworkitemqueue`) or, if none has that name or id, created implicitly by
//! its first push (its id derived from its name, so a queue object added later with that name
//! takes over the items already pushed).

use crate::util::{now_ms, object_id, random_id};
use openiap_wasm::pb::google::protobuf::Timestamp;
use openiap_wasm::pb::{
    PushWorkitemRequest, PushWorkitemsRequest, UpdateWorkitemRequest, WorkItemQueue, Workitem,
    WorkitemFile,
};

/// Retries before a work item set to `retry` fails, in a queue without its own `maxretries`.
pub const MAX_RETRIES: i32 = 3;

/// All work items, in push order, and the work item queue objects.
#[derive(Debug, Default)]
pub struct Workitems {
    pub(crate) items: Vec<Workitem>,
    pub(crate) queues: Vec<WorkItemQueue>,
}

/// A `Timestamp` from Unix ms.
pub fn ts(ms: u64) -> Timestamp {
    Timestamp {
        seconds: (ms / 1000) as i64,
        nanos: ((ms % 1000) * 1_000_000) as i32,
    }
}

fn ms(t: &Option<Timestamp>) -> u64 {
    t.as_ref()
        .map(|t| t.seconds.max(0) as u64 * 1000 + t.nanos.max(0) as u64 / 1_000_000)
        .unwrap_or(0)
}

/// The id of the implicit queue named `name`.
pub fn derived_id(name: &str) -> String {
    object_id(&format!("wiq:{name}"))
}

impl Workitems {
    /// The queue's name and id from `wiq` / `wiqid`, as OpenFlow looks them up: a queue object
    /// by id, then by name; else the implicit queue (its id derived from the name; a bare id
    /// gives no name).
    pub fn resolve(&self, wiq: &str, wiqid: &str) -> Result<(String, String), String> {
        if wiq.is_empty() && wiqid.is_empty() {
            return Err("wiq or wiqid is mandatory".into());
        }
        let found = self
            .queues
            .iter()
            .find(|q| !wiqid.is_empty() && q.id == wiqid)
            .or_else(|| {
                self.queues
                    .iter()
                    .find(|q| !wiq.is_empty() && q.name == wiq)
            });
        if let Some(q) = found {
            return Ok((q.name.clone(), q.id.clone()));
        }
        if wiq.is_empty() {
            return Ok((String::new(), wiqid.to_string()));
        }
        let id = derived_id(wiq);
        // A queue object renamed away from `wiq` still owns the id derived from it.
        match self.queues.iter().find(|q| q.id == id) {
            Some(q) => Ok((q.name.clone(), id)),
            None => Ok((wiq.to_string(), id)),
        }
    }

    fn queue_object(&self, wiqid: &str) -> Option<&WorkItemQueue> {
        self.queues.iter().find(|q| q.id == wiqid)
    }

    /// `pushworkitem`. Attached files keep their bytes out of replies (only name and id).
    pub fn push(
        &mut self,
        req: PushWorkitemRequest,
        username: &str,
        store: &mut crate::files::Files,
    ) -> Result<Workitem, String> {
        let (wiq, wiqid) = self.resolve(&req.wiq, &req.wiqid)?;
        let wiq = if wiq.is_empty() {
            self.items
                .iter()
                .find(|w| w.wiqid == wiqid)
                .map(|w| w.wiq.clone())
                .unwrap_or_default()
        } else {
            wiq
        };
        let wi = Workitem {
            id: random_id(24),
            name: if req.name.is_empty() {
                "New work item".into()
            } else {
                req.name
            },
            payload: if req.payload.is_empty() {
                "{}".into()
            } else {
                req.payload
            },
            priority: req.priority,
            nextrun: req.nextrun.filter(|t| t.seconds > 0).or_else(|| {
                // A queue object's `initialdelay` (seconds) postpones new items.
                let delay = self.queue_object(&wiqid).map_or(0, |q| q.initialdelay);
                (delay > 0).then(|| ts(now_ms() + delay as u64 * 1000))
            }),
            lastrun: None,
            files: req.files.into_iter().map(|f| store.attach(f)).collect(),
            state: "new".into(),
            wiq,
            wiqid,
            retries: 0,
            username: username.to_string(),
            success_wiqid: req.success_wiqid,
            failed_wiqid: req.failed_wiqid,
            success_wiq: req.success_wiq,
            failed_wiq: req.failed_wiq,
            ..Default::default()
        };
        self.items.push(wi.clone());
        Ok(wi)
    }

    /// `pushworkitems`: each item pushed as by `pushworkitem`; the request's `nextrun` and
    /// `priority` apply to items without their own, its success/failed queues (when given)
    /// replace the items' (as OpenFlow's `AddWorkitems`).
    pub fn push_many(
        &mut self,
        req: PushWorkitemsRequest,
        username: &str,
        store: &mut crate::files::Files,
    ) -> Result<Vec<Workitem>, String> {
        self.resolve(&req.wiq, &req.wiqid)?;
        let or = |a: String, b: &str| if a.is_empty() { b.to_string() } else { a };
        let mut out = vec![];
        for item in req.items {
            let one = PushWorkitemRequest {
                wiq: req.wiq.clone(),
                wiqid: req.wiqid.clone(),
                name: item.name,
                payload: item.payload,
                nextrun: item.nextrun.or(req.nextrun),
                success_wiqid: or(req.success_wiqid.clone(), &item.success_wiqid),
                failed_wiqid: or(req.failed_wiqid.clone(), &item.failed_wiqid),
                success_wiq: or(req.success_wiq.clone(), &item.success_wiq),
                failed_wiq: or(req.failed_wiq.clone(), &item.failed_wiq),
                priority: if item.priority != 0 {
                    item.priority
                } else {
                    req.priority
                },
                files: item.files,
            };
            out.push(self.push(one, username, store)?);
        }
        Ok(out)
    }

    /// `popworkitem`: the next due `new` item of the queue, now `processing`; `None` if empty.
    pub fn pop(&mut self, wiq: &str, wiqid: &str) -> Result<Option<Workitem>, String> {
        let (_, wiqid) = self.resolve(wiq, wiqid)?;
        let now = now_ms();
        let best = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, w)| w.wiqid == wiqid && w.state == "new" && ms(&w.nextrun) <= now)
            .min_by_key(|(i, w)| (w.priority, *i))
            .map(|(i, _)| i);
        Ok(best.map(|i| {
            let w = &mut self.items[i];
            w.state = "processing".into();
            w.lastrun = Some(ts(now));
            w.clone()
        }))
    }

    /// `updateworkitem`: takes state, name, payload, error fields and files from the request.
    /// State `retry` counts a retry and makes the item `new` again (due after the queue's
    /// `retrydelay` seconds), until the queue's `maxretries` ([`MAX_RETRIES`] for an implicit
    /// queue; unless `ignoremaxretries`), then it is `failed`.
    pub fn update(
        &mut self,
        req: UpdateWorkitemRequest,
        store: &mut crate::files::Files,
    ) -> Result<Workitem, String> {
        let Some(new) = req.workitem else {
            return Err("workitem is mandatory".into());
        };
        let (max, delay) = self
            .items
            .iter()
            .find(|w| w.id == new.id)
            .and_then(|w| self.queue_object(&w.wiqid))
            .map_or((MAX_RETRIES, 0), |q| (q.maxretries, q.retrydelay));
        let Some(w) = self.items.iter_mut().find(|w| w.id == new.id) else {
            return Err(not_found(&new.id));
        };
        if !new.name.is_empty() {
            w.name = new.name;
        }
        if !new.payload.is_empty() {
            w.payload = new.payload;
        }
        w.errormessage = new.errormessage;
        w.errorsource = new.errorsource;
        w.errortype = new.errortype;
        if new.priority != 0 {
            w.priority = new.priority;
        }
        if new.nextrun.is_some() {
            w.nextrun = new.nextrun.filter(|t| t.seconds > 0);
        }
        let state = if new.state.is_empty() {
            w.state.clone()
        } else {
            new.state
        };
        match state.as_str() {
            "new" | "processing" | "successful" | "failed" => w.state = state,
            "retry" => {
                w.retries += 1;
                w.state = if w.retries >= max && !req.ignoremaxretries {
                    "failed".into()
                } else {
                    "new".into()
                };
                if delay > 0 && w.state == "new" {
                    w.nextrun = Some(ts(now_ms() + delay as u64 * 1000));
                }
            }
            other => return Err(format!("Illegal state {other} on Workitem")),
        }
        for f in req.files {
            let f = store.attach(f);
            w.files.retain(|old| old.filename != f.filename);
            w.files.push(f);
        }
        Ok(w.clone())
    }

    /// `deleteworkitem`.
    pub fn delete(&mut self, id: &str) -> Result<(), String> {
        let before = self.items.len();
        self.items.retain(|w| w.id != id);
        if before == self.items.len() {
            return Err(not_found(id));
        }
        Ok(())
    }
}

/// OpenFlow's wording for an unknown work item id (Message.ts, `UpdateWorkitem` and
/// `DeleteWorkitem`; the double space is OpenFlow's).
pub fn not_found(id: &str) -> String {
    format!("Work item  with _id {id} not found.")
}

/// A work item file as replies show it: name and id, no bytes.
pub fn file_ref(f: &WorkitemFile) -> WorkitemFile {
    WorkitemFile {
        filename: f.filename.clone(),
        id: f.id.clone(),
        compressed: false,
        file: vec![],
    }
}
