//! Work item queues: push, pop (by priority, then age, once `nextrun` is due), update (with
//! OpenFlow's retry rule) and delete. Queues are created by their first push.

use crate::util::{now_ms, object_id, random_id};
use openiap_wasm::pb::google::protobuf::Timestamp;
use openiap_wasm::pb::{PushWorkitemRequest, UpdateWorkitemRequest, Workitem, WorkitemFile};

/// Retries before a work item set to `retry` fails.
pub const MAX_RETRIES: i32 = 3;

/// All work items, in push order.
#[derive(Debug, Default)]
pub struct Workitems {
    items: Vec<Workitem>,
}

fn ts(ms: u64) -> Timestamp {
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

/// The queue's name and id from `wiq` / `wiqid` (the id is derived from the name).
fn queue(wiq: &str, wiqid: &str) -> Result<(String, String), String> {
    match (wiq.is_empty(), wiqid.is_empty()) {
        (false, _) => Ok((wiq.to_string(), object_id(&format!("wiq:{wiq}")))),
        (true, false) => Ok((String::new(), wiqid.to_string())),
        (true, true) => Err("wiq or wiqid is mandatory".into()),
    }
}

impl Workitems {
    /// `pushworkitem`. Attached files keep their bytes out of replies (only name and id).
    pub fn push(
        &mut self,
        req: PushWorkitemRequest,
        username: &str,
        store: &mut crate::files::Files,
    ) -> Result<Workitem, String> {
        let (wiq, wiqid) = queue(&req.wiq, &req.wiqid)?;
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
            nextrun: req.nextrun.filter(|t| t.seconds > 0),
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

    /// `popworkitem`: the next due `new` item of the queue, now `processing`; `None` if empty.
    pub fn pop(&mut self, wiq: &str, wiqid: &str) -> Result<Option<Workitem>, String> {
        let (_, wiqid) = queue(wiq, wiqid)?;
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
    /// State `retry` counts a retry and makes the item `new` again, until [`MAX_RETRIES`]
    /// (unless `ignoremaxretries`), then it is `failed`.
    pub fn update(
        &mut self,
        req: UpdateWorkitemRequest,
        store: &mut crate::files::Files,
    ) -> Result<Workitem, String> {
        let Some(new) = req.workitem else {
            return Err("workitem is mandatory".into());
        };
        let Some(w) = self.items.iter_mut().find(|w| w.id == new.id) else {
            return Err(format!("Work item {} not found", new.id));
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
                w.state = if w.retries >= MAX_RETRIES && !req.ignoremaxretries {
                    "failed".into()
                } else {
                    "new".into()
                };
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
            return Err(format!("Work item {id} not found"));
        }
        Ok(())
    }
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
