//! The specs (`spec.rs`) of every request the data API sends and every reply it reads, plus the
//! server pushes the client delivers (queue messages, watch events) and the sign-in reply.
//! Option names and result keys are those of the npm `openiap` client; `tests/wire_tables.rs`
//! checks every spec against the descriptors of `proto/`. Shared parts are macros, so that they
//! can be spliced into specs with `concat!`.

/// A request method of the data API: its JS name, the envelope command, the request message, how
/// the option object fills it, and what the reply becomes. The reply message is the request's
/// name with `Response` for `Request`.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    /// The `Client` method (`src/js/client.js` gives it its positional parameters).
    pub name: &'static str,
    /// `Envelope.command`.
    pub command: &'static str,
    /// The request message, `openiap.<message>`.
    pub message: &'static str,
    /// Option name → request field.
    pub fields: &'static str,
    /// What the promise resolves with: "" `undefined`; one field without a key (`=1j`) that
    /// field's value; any other spec the whole reply as an object.
    pub reply: &'static str,
    /// Options of which one must be a non-empty string (`wiq|wiqid`), in the options or in one of
    /// their objects (`workitem.id|_id`); "" when none is needed.
    pub need: &'static str,
}

/// A method: name, command, request message, reply, need, request fields.
const fn m(
    name: &'static str,
    command: &'static str,
    message: &'static str,
    reply: &'static str,
    need: &'static str,
    fields: &'static str,
) -> Method {
    Method { name, command, message, fields, reply, need }
}

// ----- shared parts --------------------------------------------------------------------------------

/// A work item file, as a request sends it (`_id` or `id`; `file` holds its bytes).
macro_rules! file_in { () => { "filename=1s _id=2s id=2s compressed=3b file=4y" } }
/// A work item file in a reply.
macro_rules! file_out { () => { "filename=1s id=2s compressed=3b" } }
/// A work item, as npm `openiap` sends it (`id`, or `_id`).
macro_rules! workitem_in { () => { concat!(
    "_id=1s id=1s name=2s payload=3j:{} priority=4i:2 nextrun=5t lastrun=6t files=7M[", file_in!(), "] ",
    "state=8s wiq=9s wiqid=10s retries=11i username=12s success_wiqid=13s failed_wiqid=14s ",
    "success_wiq=15s failed_wiq=16s errormessage=17s errorsource=18s errortype=19s") } }
/// A work item as JS sees it: npm `openiap` names (`id`, not `_id`), `payload` parsed, dates.
macro_rules! workitem_out { () => { concat!(
    "id=1s name=2s state=8s wiq=9s wiqid=10s username=12s success_wiqid=13s failed_wiqid=14s ",
    "success_wiq=15s failed_wiq=16s errormessage=17s errorsource=18s errortype=19s payload=3j ",
    "priority=4i retries=11i files=7M[", file_out!(), "] nextrun=5t lastrun=6t") } }
/// A work item queue, in requests (`q=i` for numbers with their defaults) and replies.
macro_rules! workitem_queue { ($max:literal) => { concat!(
    "_id=13s name=15s workflowid=1s robotqueue=2s amqpqueue=3s projectid=4s usersrole=5s maxretries=6i", $max,
    " retrydelay=7i initialdelay=8i success_wiqid=9s failed_wiqid=10s success_wiq=11s failed_wiq=12s ",
    "_acl=14M[_id=1s deny=2b rights=3i] _createdbyid=16s _createdby=17s _created=18t _modifiedbyid=19s ",
    "_modifiedby=20s _modified=21t _version=22i packageid=23s") } }
/// A customer (billing).
macro_rules! customer { ($type:literal) => { concat!(
    "_id=1s _type=2s", $type, " stripeid=3s userid=4s name=5s country=6s email=7s address=8s vattype=9s ",
    "vatnumber=10s taxrate=11s tax=12i coupon=13s hascard=14b memory=15s openflowuserplan=16s ",
    "supportplan=17s supporthourplan=18s subscriptionid=19s admins=20s users=21s customattr1=22s ",
    "customattr2=23s customattr3=24s customattr4=25s customattr5=26s domains=27l dbusage=28i dblocked=29b") } }
/// `query` and `get_one` (which defaults `top` to 1 in `src/js/client.js`).
const QUERY_FIELDS: &str = "query=1j:{} collectionname=2s projection=3j:{} top=4i:100 skip=5i orderby=6j \
                            queryas=7s explain=8b";
/// `insertone` and `updateone`.
const ONE: &str = "collectionname=1s item=2j:{} w=3i:1 j=4b";
/// The requests that name an agent.
const AGENT: &str = "agentid=1r";
/// An agent and one of its pods.
const AGENT_POD: &str = "agentid=1r podname=2s";
/// A work item queue by name or id.
const NEED_QUEUE: &str = "wiq|wiqid";

// ----- replies and pushes --------------------------------------------------------------------------

/// A user, as sign-in and `refreshtoken` give it.
pub const USER_OUT: &str = "_id=1s name=2s username=3s email=4s roles=5M[_id=1s name=2s]";
/// `signin`'s reply: `{jwt, user}`.
pub const SIGNIN_OUT: &str = "jwt=1s user=2m[_id=1s name=2s username=3s email=4s roles=5M[_id=1s name=2s]]";
/// A `queueevent`, as a queue callback gets it (built from `wire::json`'s text, which also moves
/// the sender's `__jwt`/`__user` out of `data` into `jwt`/`user`).
pub const QUEUE_EVENT_OUT: &str =
    "queuename=1s correlation_id=2s replyto=3s routingkey=4s exchangename=5s data=6j";
/// A `watchevent`, as a watch callback gets it (built from `wire::json`'s text).
pub const WATCH_EVENT_OUT: &str = "id=1s operation=2s document=3j";
/// The JSON in field 1 of a reply.
const JSON: &str = "=1j";
/// The int32 in field 1 of a reply.
const INT: &str = "=1i";
/// Push, pop and update replies: `Workitem workitem = 1` (null when pop finds nothing).
const WORKITEM: &str = concat!("=1m[", workitem_out!(), "]");
/// Work item queue replies: `WorkItemQueue workitemqueue = 1`.
const WORKITEM_QUEUE: &str = concat!("=1m[", workitem_queue!(""), "]");

// ----- methods -------------------------------------------------------------------------------------

/// `query`: documents matching `query`.
pub const QUERY: Method = m("query", "query", "QueryRequest", JSON, "", QUERY_FIELDS);
/// `get_one`: the first document matching `query`, or null.
pub const GET_ONE: Method = m("get_one", "query", "QueryRequest", "=1f", "", QUERY_FIELDS);
/// `get_document_version`: a document as it was at `version`.
pub const GET_DOCUMENT_VERSION: Method = m("get_document_version", "getdocumentversion",
    "GetDocumentVersionRequest", JSON, "", "collectionname=1s:entities id=2r version=3i decrypt=4b");
/// `count`.
pub const COUNT: Method = m("count", "count", "CountRequest", INT, "",
    "collectionname=1s query=2j:{} queryas=3s explain=4b");
/// `distinct`.
pub const DISTINCT: Method = m("distinct", "distinct", "DistinctRequest", "=1l", "",
    "collectionname=1s field=3r query=4j:{} queryas=5s options=6j explain=7b");
/// `aggregate`.
pub const AGGREGATE: Method = m("aggregate", "aggregate", "AggregateRequest", JSON, "",
    "collectionname=1s aggregates=2j:[] queryas=3s hint=4j explain=5b");
/// `insert_one`.
pub const INSERT_ONE: Method = m("insert_one", "insertone", "InsertOneRequest", JSON, "", ONE);
/// `update_one`.
pub const UPDATE_ONE: Method = m("update_one", "updateone", "UpdateOneRequest", JSON, "", ONE);
/// `insert_many`.
pub const INSERT_MANY: Method = m("insert_many", "insertmany", "InsertManyRequest", JSON, "",
    "collectionname=1s items=2j:[] w=3i:1 j=4b skipresults=5b");
/// `update_document`: a MongoDB update (`document` with operators such as `$set`).
pub const UPDATE_DOCUMENT: Method = m("update_document", "updatedocument", "UpdateDocumentRequest",
    "=1m[acknowledged=1b matchedCount=2i modifiedCount=3i upsertedCount=4i upsertedId=5s]", "",
    "collectionname=1s query=2j:{} document=3j:{} w=4i:1 j=5b");
/// `insert_or_update_one`.
pub const INSERT_OR_UPDATE_ONE: Method = m("insert_or_update_one", "insertorupdateone",
    "InsertOrUpdateOneRequest", JSON, "", "collectionname=1s uniqeness=2s:_id item=3j:{} w=4i:1 j=5b");
/// `insert_or_update_many`.
pub const INSERT_OR_UPDATE_MANY: Method = m("insert_or_update_many", "insertorupdatemany",
    "InsertOrUpdateManyRequest", JSON, "",
    "collectionname=1s uniqeness=2s:_id items=3j:[] w=4i:1 j=5b skipresults=6b");
/// `delete_one`.
pub const DELETE_ONE: Method = m("delete_one", "deleteone", "DeleteOneRequest", INT, "",
    "collectionname=1s id=2r recursive=3b");
/// `delete_many`.
pub const DELETE_MANY: Method = m("delete_many", "deletemany", "DeleteManyRequest", INT, "",
    "collectionname=1s query=2j recursive=3b ids=4l");
/// `list_collections(includehist)`.
pub const LIST_COLLECTIONS: Method = m("list_collections", "listcollections",
    "ListCollectionsRequest", JSON, "", "includehist=1b");
/// `create_collection`: collation and timeseries take npm's snake_case keys or camelCase ones.
pub const CREATE_COLLECTION: Method = m("create_collection", "createcollection",
    "CreateCollectionRequest", "", "", concat!(
    "collectionname=1r collation=2m[locale=1s case_level=2b caseLevel=2b case_first=3s caseFirst=3s ",
    "strength=4i numeric_ordering=5b numericOrdering=5b alternate=6s max_variable=7s maxVariable=7s ",
    "backwards=8b] timeseries=3m[time_field=1s timeField=1s meta_field=2s metaField=2s granularity=3s] ",
    "expire_after_seconds=4i change_stream_pre_and_post_images=5b capped=6b max=7i size=8i"));
/// `drop_collection(collectionname)`.
pub const DROP_COLLECTION: Method = m("drop_collection", "dropcollection", "DropCollectionRequest",
    "", "", "collectionname=1r");
/// `get_indexes(collectionname)`.
pub const GET_INDEXES: Method = m("get_indexes", "getindexes", "GetIndexesRequest", JSON, "",
    "collectionname=1r");
/// `create_index`.
pub const CREATE_INDEX: Method = m("create_index", "createindex", "CreateIndexRequest", JSON, "",
    "collectionname=1r index=2j:{} options=3j:{} name=4s");
/// `drop_index(collectionname, indexname)`.
pub const DROP_INDEX: Method = m("drop_index", "dropindex", "DropIndexRequest", "", "",
    "collectionname=1r name=2r");
/// `push_workitem`.
pub const PUSH_WORKITEM: Method = m("push_workitem", "pushworkitem", "PushWorkitemRequest", WORKITEM,
    NEED_QUEUE, concat!("wiq=1s wiqid=2s name=3s payload=4j:{} nextrun=5t success_wiqid=6s failed_wiqid=7s ",
    "success_wiq=8s failed_wiq=9s priority=10i:2 files=11M[", file_in!(), "]"));
/// `push_workitems`: several work items (`items`) in one request.
pub const PUSH_WORKITEMS: Method = m("push_workitems", "pushworkitems", "PushWorkitemsRequest",
    concat!("=1M[", workitem_out!(), "]"), NEED_QUEUE,
    concat!("wiq=1s wiqid=2s nextrun=3t success_wiqid=4s failed_wiqid=5s success_wiq=6s failed_wiq=7s ",
    "priority=8i:2 items=9M[", workitem_in!(), "]"));
/// `pop_workitem`.
pub const POP_WORKITEM: Method = m("pop_workitem", "popworkitem", "PopWorkitemRequest", WORKITEM,
    NEED_QUEUE, "wiq=1s wiqid=2s");
/// `update_workitem`.
pub const UPDATE_WORKITEM: Method = m("update_workitem", "updateworkitem", "UpdateWorkitemRequest",
    WORKITEM, "workitem.id|_id",
    concat!("workitem=1m[", workitem_in!(), "] ignoremaxretries=2b files=3M[", file_in!(), "]"));
/// `delete_workitem(id)`.
pub const DELETE_WORKITEM: Method = m("delete_workitem", "deleteworkitem", "DeleteWorkitemRequest",
    "", "", "id=1r");
/// `add_workitem_queue`.
pub const ADD_WORKITEM_QUEUE: Method = m("add_workitem_queue", "addworkitemqueue",
    "AddWorkItemQueueRequest", WORKITEM_QUEUE, "workitemqueue.name",
    concat!("workitemqueue=1m[", workitem_queue!(":3"), "] skiprole=2b"));
/// `update_workitem_queue` (`purge` also deletes the queue's work items).
pub const UPDATE_WORKITEM_QUEUE: Method = m("update_workitem_queue", "updateworkitemqueue",
    "UpdateWorkItemQueueRequest", WORKITEM_QUEUE, "workitemqueue._id|name",
    concat!("workitemqueue=1m[", workitem_queue!(""), "] skiprole=2b purge=3b"));
/// `delete_workitem_queue`.
pub const DELETE_WORKITEM_QUEUE: Method = m("delete_workitem_queue", "deleteworkitemqueue",
    "DeleteWorkItemQueueRequest", "", NEED_QUEUE, "wiq=1s wiqid=2s purge=3b");
/// `custom_command`.
pub const CUSTOM_COMMAND: Method = m("custom_command", "customcommand", "CustomCommandRequest", JSON,
    "", "command=1r id=2s name=3s data=4j:{}");
/// `create_workflow_instance`: resolves to the new instance's id.
pub const CREATE_WORKFLOW_INSTANCE: Method = m("create_workflow_instance", "createworkflowinstance",
    "CreateWorkflowInstanceRequest", "=1s", "",
    "targetid=1s workflowid=2r name=3s resultqueue=4s data=5j:{} initialrun=6b");
/// `ensure_customer`: creates the customer if needed; resolves to `{customer}` (the Stripe object
/// of the reply is not read).
pub const ENSURE_CUSTOMER: Method = m("ensure_customer", "ensurecustomer", "EnsureCustomerRequest",
    concat!("customer=1m[", customer!(""), "]"), "",
    concat!("customer=1m[", customer!(":customer"), "] ensureas=3s"));
/// `start_agent(agentid)`.
pub const START_AGENT: Method = m("start_agent", "startagent", "StartAgentRequest", "", "", AGENT);
/// `stop_agent(agentid)`.
pub const STOP_AGENT: Method = m("stop_agent", "stopagent", "StopAgentRequest", "", "", AGENT);
/// `delete_agent(agentid)`.
pub const DELETE_AGENT: Method = m("delete_agent", "deleteagent", "DeleteAgentRequest", "", "", AGENT);
/// `delete_agent_pod(agentid, podname)`.
pub const DELETE_AGENT_POD: Method = m("delete_agent_pod", "deleteagentpod", "DeleteAgentPodRequest",
    "", "", AGENT_POD);
/// `get_agent_pod_logs(agentid, podname)`: the log text.
pub const GET_AGENT_POD_LOGS: Method = m("get_agent_pod_logs", "getagentlog", "GetAgentLogRequest",
    "=1s", "", AGENT_POD);
/// `get_agent_pods(agentid, stats)`: the agent's pods.
pub const GET_AGENT_PODS: Method = m("get_agent_pods", "getagentpods", "GetAgentPodsRequest", JSON,
    "", "agentid=1s stats=2b");
/// `delete_package(packageid)`.
pub const DELETE_PACKAGE: Method = m("delete_package", "deletepackage", "DeletePackageRequest", "",
    "", "packageid=1r");
/// `upload` (its data follows as a stream).
pub const UPLOAD: Method = m("upload", "upload", "UploadRequest",
    "id=1s filename=2s bytes=3i chunks=4i mb=5x elapsedTime=6i mbps=7x", "",
    "filename=1r mimetype=2s:application/octet-stream metadata=3j:{} collectionname=4s:fs.files");
/// `download` (its data arrives as a stream before the reply).
pub const DOWNLOAD: Method = m("download", "download", "DownloadRequest",
    "id=1s filename=2s mimetype=3s", "", "id=1r filename=2s collectionname=3s:fs.files");

/// Every method called through `__call`, by name (upload and download have methods of their own).
pub const METHODS: &[Method] = &[
    QUERY, GET_ONE, GET_DOCUMENT_VERSION, COUNT, DISTINCT, AGGREGATE, INSERT_ONE, UPDATE_ONE, INSERT_MANY,
    UPDATE_DOCUMENT, INSERT_OR_UPDATE_ONE, INSERT_OR_UPDATE_MANY, DELETE_ONE, DELETE_MANY, LIST_COLLECTIONS,
    CREATE_COLLECTION, DROP_COLLECTION, GET_INDEXES, CREATE_INDEX, DROP_INDEX, PUSH_WORKITEM, PUSH_WORKITEMS,
    POP_WORKITEM, UPDATE_WORKITEM, DELETE_WORKITEM, ADD_WORKITEM_QUEUE, UPDATE_WORKITEM_QUEUE,
    DELETE_WORKITEM_QUEUE, CUSTOM_COMMAND, CREATE_WORKFLOW_INSTANCE, ENSURE_CUSTOMER, START_AGENT, STOP_AGENT,
    DELETE_AGENT, DELETE_AGENT_POD, GET_AGENT_POD_LOGS, GET_AGENT_PODS, DELETE_PACKAGE,
];

/// The method called `name`.
pub fn method(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}
