//! Wire compatibility of every message in `proto/` with the official `openiap-proto` crate.
//!
//! For each message, in both directions: arbitrary values are encoded by one side, decoded by
//! the other, compared field by field, and re-encoded; the bytes must be identical.
//! Field lists are destructured without `..`, so a field missing on either side (or a message
//! missing from the official crate) is a compile error, and `every_proto_message_is_covered`
//! fails when a message is added to `proto/` without being listed here.
#![cfg(not(target_arch = "wasm32"))]
#![allow(non_snake_case)]

use openiap_proto::openiap as off;
use openiap_wasm::pb as ours;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Nesting depth of generated messages (StripeSubscription is recursive).
const DEPTH: u32 = 3;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Field-by-field comparison of one of our messages with the official one.
trait Check<O> {
    fn check(&self, other: &O, path: &str) -> Result<(), String>;
}

fn same_f32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || a == b // 0.0 == -0.0: proto3 does not send either
}

/// Arbitrary text: any Unicode scalar values (ASCII, control characters, astral planes, ...).
fn text() -> BoxedStrategy<String> {
    proptest::collection::vec(any::<char>(), 0..12)
        .prop_map(String::from_iter)
        .boxed()
}

/// Value strategy of one field kind; nested messages use the sibling strategy function.
macro_rules! field_strategy {
    ($d:ident, s) => {
        crate::text()
    };
    ($d:ident, i) => {
        any::<i32>().boxed()
    };
    ($d:ident, b) => {
        any::<bool>().boxed()
    };
    ($d:ident, f) => {
        any::<f32>().boxed()
    };
    ($d:ident, y) => {
        proptest::collection::vec(any::<u8>(), 0..48).boxed()
    };
    ($d:ident, rs) => {
        proptest::collection::vec(crate::text(), 0..4).boxed()
    };
    ($d:ident, any) => {
        proptest::option::of((crate::text(), proptest::collection::vec(any::<u8>(), 0..48))).boxed()
    };
    ($d:ident, ts) => {
        proptest::option::of((any::<i64>(), any::<i32>())).boxed()
    };
    ($d:ident, m, $inner:ident) => {
        if $d == 0 {
            Just(None).boxed()
        } else {
            proptest::option::of($inner($d - 1)).boxed()
        }
    };
    ($d:ident, rm, $inner:ident) => {
        if $d == 0 {
            Just(Vec::new()).boxed()
        } else {
            proptest::collection::vec($inner($d - 1), 0..3).boxed()
        }
    };
}

/// Stores a generated value; `Any` and `Timestamp` are built through the field's own type, so
/// the same code serves prost 0.14 (ours) and prost-types 0.13 (official).
macro_rules! set_field {
    ($m:ident . $f:ident, any, $v:ident) => {
        $m.$f = None;
        if let Some((url, value)) = $v {
            let slot = $m.$f.insert(Default::default());
            slot.type_url = url;
            slot.value = value;
        }
    };
    ($m:ident . $f:ident, ts, $v:ident) => {
        $m.$f = None;
        if let Some((seconds, nanos)) = $v {
            let slot = $m.$f.insert(Default::default());
            slot.seconds = seconds;
            slot.nanos = nanos;
        }
    };
    ($m:ident . $f:ident, $k:ident, $v:ident) => {
        $m.$f = $v;
    };
}

macro_rules! check_field {
    ($a:expr, $b:expr, $path:expr, f) => {
        if !same_f32(*$a, *$b) {
            return Err(format!("{}: {:?} != {:?}", $path, $a, $b));
        }
    };
    ($a:expr, $b:expr, $path:expr, any) => {
        match ($a, $b) {
            (None, None) => {}
            (Some(a), Some(b)) if a.type_url == b.type_url && a.value == b.value => {}
            (a, b) => return Err(format!("{}: {:?} != {:?}", $path, a, b)),
        }
    };
    ($a:expr, $b:expr, $path:expr, ts) => {
        match ($a, $b) {
            (None, None) => {}
            (Some(a), Some(b)) if a.seconds == b.seconds && a.nanos == b.nanos => {}
            (a, b) => return Err(format!("{}: {:?} != {:?}", $path, a, b)),
        }
    };
    ($a:expr, $b:expr, $path:expr, m) => {
        match ($a, $b) {
            (None, None) => {}
            (Some(a), Some(b)) => a.check(b, &$path)?,
            (a, b) => {
                return Err(format!(
                    "{}: presence {} != {}",
                    $path,
                    a.is_some(),
                    b.is_some()
                ))
            }
        }
    };
    ($a:expr, $b:expr, $path:expr, rm) => {
        if $a.len() != $b.len() {
            return Err(format!("{}: {} items != {}", $path, $a.len(), $b.len()));
        }
        for (i, (a, b)) in $a.iter().zip($b.iter()).enumerate() {
            a.check(b, &format!("{}[{}]", $path, i))?;
        }
    };
    ($a:expr, $b:expr, $path:expr, $k:ident) => {
        if $a != $b {
            return Err(format!("{}: {:?} != {:?}", $path, $a, $b));
        }
    };
}

/// Strategy functions (one per message, named like it) building messages of module `$m`.
macro_rules! strategies {
    ($m:path; $($T:ident { $($f:ident : $k:ident $(($inner:ident))?),* })*) => {
        use proptest::prelude::*;
        use $m as m;
        $(
            #[allow(unused_variables, unused_mut)]
            pub fn $T(d: u32) -> BoxedStrategy<m::$T> {
                let s = Just(m::$T::default()).boxed();
                $(
                    let s = (s, field_strategy!(d, $k $(, $inner)?))
                        .prop_map(|(mut msg, v)| {
                            set_field!(msg.$f, $k, v);
                            msg
                        })
                        .boxed();
                )*
                s
            }
        )*
    };
}

fn ours_first<O, F>(ours: O) -> Result<(), TestCaseError>
where
    O: prost::Message + Check<F>,
    F: prost013::Message + Default,
{
    let bytes = ours.encode_to_vec();
    let official = F::decode(bytes.as_slice())
        .map_err(|e| TestCaseError::fail(format!("official decode: {e}")))?;
    ours.check(&official, "").map_err(TestCaseError::fail)?;
    prop_assert_eq!(
        official.encode_to_vec(),
        bytes,
        "official re-encoding differs"
    );
    Ok(())
}

fn official_first<O, F>(official: F) -> Result<(), TestCaseError>
where
    O: prost::Message + Default + Check<F>,
    F: prost013::Message,
{
    let bytes = official.encode_to_vec();
    let ours =
        O::decode(bytes.as_slice()).map_err(|e| TestCaseError::fail(format!("our decode: {e}")))?;
    ours.check(&official, "").map_err(TestCaseError::fail)?;
    prop_assert_eq!(ours.encode_to_vec(), bytes, "our re-encoding differs");
    Ok(())
}

macro_rules! wire_compat {
    ($($T:ident { $($f:ident : $k:ident $(($inner:ident))?),* $(,)? })*) => {
        $(
            impl Check<off::$T> for ours::$T {
                #[allow(unused_variables)]
                fn check(&self, o: &off::$T, path: &str) -> Result<(), String> {
                    // Exhaustive patterns: every field of both structs must be listed.
                    let ours::$T { $($f: _),* } = self;
                    let off::$T { $($f: _),* } = o;
                    $(
                        check_field!(
                            &self.$f,
                            &o.$f,
                            format!("{}{}.{}", path, stringify!($T), stringify!($f)),
                            $k
                        );
                    )*
                    Ok(())
                }
            }
        )*

        mod gen_ours {
            strategies!(openiap_wasm::pb; $($T { $($f : $k $(($inner))?),* })*);
        }
        mod gen_official {
            strategies!(openiap_proto::openiap; $($T { $($f : $k $(($inner))?),* })*);
        }

        mod ours_to_official {
            use super::*;
            proptest! {
                #![proptest_config(config())]
                $(
                    #[test]
                    fn $T(msg in gen_ours::$T(DEPTH)) {
                        ours_first::<ours::$T, off::$T>(msg)?;
                    }
                )*
            }
        }

        mod official_to_ours {
            use super::*;
            proptest! {
                #![proptest_config(config())]
                $(
                    #[test]
                    fn $T(msg in gen_official::$T(DEPTH)) {
                        official_first::<ours::$T, off::$T>(msg)?;
                    }
                )*
            }
        }

        /// Protobuf names of the messages covered above.
        const COVERED: &[&str] = &[$(<ours::$T as prost::Name>::NAME),*];
    };
}

// Field kinds: s string, i int32, b bool, f float, y bytes, rs repeated string,
// m(T) message, rm(T) repeated message, any google.protobuf.Any, ts google.protobuf.Timestamp.
wire_compat! {
    RegisterQueueRequest { queuename: s }
    RegisterQueueResponse { queuename: s }
    RegisterExchangeRequest { exchangename: s, algorithm: s, routingkey: s, addqueue: b }
    RegisterExchangeResponse { queuename: s }
    QueueMessageRequest { queuename: s, correlation_id: s, replyto: s, routingkey: s, exchangename: s, data: s, striptoken: b, expiration: i }
    QueueMessageResponse { queuename: s, correlation_id: s, replyto: s, routingkey: s, exchangename: s, data: s }
    QueueEvent { queuename: s, correlation_id: s, replyto: s, routingkey: s, exchangename: s, data: s }
    UnRegisterQueueRequest { queuename: s }
    UnRegisterQueueResponse {}
    CreateWorkflowInstanceRequest { targetid: s, workflowid: s, name: s, resultqueue: s, data: s, initialrun: b }
    CreateWorkflowInstanceResponse { instanceid: s }
    InvokeOpenRpaRequest { robotid: s, workflowid: s, rpc: b, payload: s }
    InvokeOpenRpaResponse { payload: s }
    ListCollectionsRequest { includehist: b }
    ListCollectionsResponse { results: s }
    DropCollectionRequest { collectionname: s }
    DropCollectionResponse {}
    ColTimeseries { time_field: s, meta_field: s, granularity: s }
    ColCollation { locale: s, case_level: b, case_first: s, strength: i, numeric_ordering: b, alternate: s, max_variable: s, backwards: b }
    CreateCollectionRequest { collectionname: s, collation: m(ColCollation), timeseries: m(ColTimeseries), expire_after_seconds: i, change_stream_pre_and_post_images: b, capped: b, max: i, size: i }
    CreateCollectionResponse {}
    QueryRequest { query: s, collectionname: s, projection: s, top: i, skip: i, orderby: s, queryas: s, explain: b }
    QueryResponse { results: s }
    GetDocumentVersionRequest { collectionname: s, id: s, version: i, decrypt: b }
    GetDocumentVersionResponse { result: s }
    AggregateRequest { collectionname: s, aggregates: s, queryas: s, hint: s, explain: b }
    AggregateResponse { results: s }
    CountRequest { collectionname: s, query: s, queryas: s, explain: b }
    CountResponse { result: i }
    DistinctRequest { collectionname: s, field: s, query: s, queryas: s, options: s, explain: b }
    DistinctResponse { results: rs }
    InsertOneRequest { collectionname: s, item: s, w: i, j: b }
    InsertOneResponse { result: s }
    InsertManyRequest { collectionname: s, items: s, w: i, j: b, skipresults: b }
    InsertManyResponse { results: s }
    UpdateOneRequest { collectionname: s, item: s, w: i, j: b }
    UpdateOneResponse { result: s }
    UpdateDocumentRequest { collectionname: s, query: s, document: s, w: i, j: b }
    UpdateResult { acknowledged: b, matched_count: i, modified_count: i, upserted_count: i, upserted_id: s }
    UpdateDocumentResponse { opresult: m(UpdateResult) }
    InsertOrUpdateOneRequest { collectionname: s, uniqeness: s, item: s, w: i, j: b }
    InsertOrUpdateOneResponse { result: s }
    InsertOrUpdateManyRequest { collectionname: s, uniqeness: s, items: s, w: i, j: b, skipresults: b }
    InsertOrUpdateManyResponse { results: s }
    DeleteOneRequest { collectionname: s, id: s, recursive: b }
    DeleteOneResponse { affectedrows: i }
    DeleteManyRequest { collectionname: s, query: s, recursive: b, ids: rs }
    DeleteManyResponse { affectedrows: i }
    WatchRequest { collectionname: s, paths: rs }
    WatchResponse { id: s }
    WatchEvent { id: s, operation: s, document: s }
    UnWatchRequest { id: s }
    UnWatchResponse {}
    Ace { id: s, deny: b, rights: i }
    Workitem { id: s, name: s, payload: s, priority: i, nextrun: ts, lastrun: ts, files: rm(WorkitemFile), state: s, wiq: s, wiqid: s, retries: i, username: s, success_wiqid: s, failed_wiqid: s, success_wiq: s, failed_wiq: s, errormessage: s, errorsource: s, errortype: s }
    WorkitemFile { filename: s, id: s, compressed: b, file: y }
    PushWorkitemRequest { wiq: s, wiqid: s, name: s, payload: s, nextrun: ts, success_wiqid: s, failed_wiqid: s, success_wiq: s, failed_wiq: s, priority: i, files: rm(WorkitemFile) }
    PushWorkitemResponse { workitem: m(Workitem) }
    PushWorkitemsRequest { wiq: s, wiqid: s, nextrun: ts, success_wiqid: s, failed_wiqid: s, success_wiq: s, failed_wiq: s, priority: i, items: rm(Workitem) }
    PushWorkitemsResponse { workitems: rm(Workitem) }
    UpdateWorkitemRequest { workitem: m(Workitem), ignoremaxretries: b, files: rm(WorkitemFile) }
    UpdateWorkitemResponse { workitem: m(Workitem) }
    PopWorkitemRequest { wiq: s, wiqid: s, includefiles: b, compressed: b }
    PopWorkitemResponse { workitem: m(Workitem) }
    DeleteWorkitemRequest { id: s }
    DeleteWorkitemResponse {}
    WorkItemQueue { workflowid: s, robotqueue: s, amqpqueue: s, projectid: s, usersrole: s, maxretries: i, retrydelay: i, initialdelay: i, success_wiqid: s, failed_wiqid: s, success_wiq: s, failed_wiq: s, id: s, acl: rm(Ace), name: s, createdbyid: s, createdby: s, created: ts, modifiedbyid: s, modifiedby: s, modified: ts, version: i, packageid: s }
    AddWorkItemQueueRequest { workitemqueue: m(WorkItemQueue), skiprole: b }
    AddWorkItemQueueResponse { workitemqueue: m(WorkItemQueue) }
    UpdateWorkItemQueueRequest { workitemqueue: m(WorkItemQueue), skiprole: b, purge: b }
    UpdateWorkItemQueueResponse { workitemqueue: m(WorkItemQueue) }
    DeleteWorkItemQueueRequest { wiq: s, wiqid: s, purge: b }
    DeleteWorkItemQueueResponse {}
    Envelope { command: s, priority: i, seq: i, id: s, rid: s, data: any, jwt: s, traceid: s, spanid: s }
    PingRequest {}
    PingResponse {}
    Noop {}
    ErrorResponse { message: s, code: i, stack: s }
    GetElementRequest { xpath: s }
    GetElementResponse { xpath: s }
    SigninRequest { username: s, password: s, jwt: s, ping: b, validateonly: b, agent: s, version: s, longtoken: b }
    SigninResponse { jwt: s, user: m(User), config: s }
    RefreshToken { username: s, jwt: s, user: m(User) }
    Role { id: s, name: s }
    User { id: s, name: s, username: s, email: s, roles: rm(Role) }
    DownloadRequest { id: s, filename: s, collectionname: s }
    DownloadResponse { id: s, filename: s, mimetype: s }
    UploadRequest { filename: s, mimetype: s, metadata: s, collectionname: s }
    UploadResponse { id: s, filename: s, bytes: i, chunks: i, mb: f, elapsed_time: i, mbps: f }
    BeginStream { checksum: s, stat: m(Stat) }
    Stream { data: y }
    EndStream {}
    Stat { birthtime_ms: f, blksize: i, blocks: i, ctime: ts, ctime_ms: f, dev: i, gid: i, ino: i, mode: i, mtime: ts, mtime_ms: f, nlink: i, rdev: i, size: i, uid: i }
    CustomCommandRequest { command: s, id: s, name: s, data: s }
    CustomCommandResponse { result: s }
    Customer { id: s, r#type: s, stripeid: s, userid: s, name: s, country: s, email: s, address: s, vattype: s, vatnumber: s, taxrate: s, tax: i, coupon: s, hascard: b, memory: s, openflowuserplan: s, supportplan: s, supporthourplan: s, subscriptionid: s, admins: s, users: s, customattr1: s, customattr2: s, customattr3: s, customattr4: s, customattr5: s, domains: rs, dbusage: i, dblocked: b }
    EnsureCustomerRequest { customer: m(Customer), stripe: m(StripeCustomer), ensureas: s }
    EnsureCustomerResponse { customer: m(Customer), stripe: m(StripeCustomer) }
    StripeCustomer { address: m(StripeCustomerAddress), description: s, name: s, email: s, tax_ids: rm(StripeTaxId), subscriptions: rm(StripeSubscription), discount: m(StripeCustomerDiscount) }
    StripeCustomerAddress { line1: s, line2: s, postal_code: s, city: s, state: s, country: s }
    StripeCustomerDiscount { subscription: s, start: i, customer: s, coupon: m(StripeCoupon) }
    StripeCoupon { duration: s, duration_in_months: i, name: s }
    StripeTaxId { country: s, customer: s, r#type: s, value: s, verification: m(StripeTaxVerification) }
    StripeTaxVerification { status: s, verified_address: s, verified_name: s }
    StripeSubscription { address: s, balance: i, currency: s, subscriptions: rm(StripeSubscription), tax_ids: rm(StripeTaxId), items: rm(StripeSubscriptionItem), default_tax_rates: rs }
    StripeSubscriptionItem { id: s, quantity: s, subscription: s, plan: m(StripePlan), price: m(StripePrice) }
    StripePlan { status: b, nickname: s, product: s, amount: i, usage_type: s }
    StripePrice { nickname: s, product: s, active: b, billing_scheme: s, currency: s, recurring: m(StripeRecurring) }
    StripeRecurring { interval: s, interval_count: i, trial_period_days: i, usage_type: s }
    CreateIndexRequest { collectionname: s, index: s, options: s, name: s }
    CreateIndexResponse { result: s }
    GetIndexesRequest { collectionname: s }
    GetIndexesResponse { results: s }
    DropIndexRequest { collectionname: s, name: s }
    DropIndexResponse {}
    DeletePackageRequest { packageid: s }
    DeletePackageResponse {}
    StartAgentRequest { agentid: s }
    StartAgentResponse {}
    StopAgentRequest { agentid: s }
    StopAgentResponse {}
    GetAgentLogRequest { agentid: s, podname: s }
    GetAgentLogResponse { result: s }
    GetAgentPodsRequest { agentid: s, stats: b }
    GetAgentPodsResponse { results: s }
    DeleteAgentPodRequest { agentid: s, podname: s }
    DeleteAgentPodResponse {}
    DeleteAgentRequest { agentid: s }
    DeleteAgentResponse {}
}

/// `message X` names declared in `proto/*.proto` (comments stripped).
fn declared_messages() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("proto");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("proto/ exists") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("proto") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        // Tokens, with braces, `=` and `;` as tokens of their own.
        let spaced = code
            .replace('{', " { ")
            .replace('}', " } ")
            .replace('=', " = ")
            .replace(';', " ; ");
        let tokens: Vec<&str> = spaced.split_whitespace().collect();
        for w in tokens.windows(3) {
            if w[0] == "message" && w[2] == "{" {
                names.push(w[1].to_string());
            }
        }
    }
    names.sort();
    names
}

#[test]
fn every_proto_message_is_covered() {
    let declared = declared_messages();
    let mut covered: Vec<String> = COVERED.iter().map(|s| s.to_string()).collect();
    covered.sort();
    let before = covered.len();
    covered.dedup();
    assert_eq!(before, covered.len(), "a message is listed twice");
    let missing: Vec<_> = declared.iter().filter(|n| !covered.contains(n)).collect();
    let extra: Vec<_> = covered.iter().filter(|n| !declared.contains(n)).collect();
    assert!(
        missing.is_empty(),
        "messages in proto/ without a wire test: {missing:?}"
    );
    assert!(extra.is_empty(), "tested messages not in proto/: {extra:?}");
    assert!(
        declared.len() >= 117,
        "expected the full openiap message set, got {}",
        declared.len()
    );
}

#[test]
fn type_urls_use_the_openiap_package() {
    assert_eq!(
        <ours::Envelope as prost::Name>::type_url(),
        "type.googleapis.com/openiap.Envelope"
    );
    assert_eq!(
        <ours::ColTimeseries as prost::Name>::full_name(),
        "openiap.col_timeseries"
    );
    assert_eq!(
        <ours::InvokeOpenRpaRequest as prost::Name>::type_url(),
        "type.googleapis.com/openiap.InvokeOpenRPARequest"
    );
}
