//! The field tables of every request the data API sends and every reply it reads, plus the
//! server pushes the client delivers (queue messages, watch events) and the sign-in reply.
//! Option names and result keys are those of the npm `openiap` client. Rows are written several
//! to a line (rustfmt skips this file): one method reads as one short block.

use super::{D, F, K, O};

/// What a method's reply becomes.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// `undefined`.
    Unit,
    /// One field of the reply.
    Field(u8, D),
    /// The whole reply as an object.
    Object(&'static [O]),
}

/// An option the request cannot go without: at least one of `keys` is a non-empty string, in the
/// options or (when `within` is not empty) in the options' object `within`.
#[derive(Debug, Clone, Copy)]
pub struct Need {
    /// The nested object holding the keys, or "" for the options themselves.
    pub within: &'static str,
    /// The keys; one must be given.
    pub keys: &'static [&'static str],
    /// The `InvalidArgument` message when none is.
    pub message: &'static str,
}

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
    pub fields: &'static [F],
    /// What the promise resolves with.
    pub reply: Reply,
    /// An option that must be given, if any.
    pub need: Option<Need>,
}

// ----- replies ----------------------------------------------------------------------------------

/// Work item files: `{filename, id, compressed}`.
pub const FILE_OUT: &[O] = &[O("filename", 1, D::Str), O("id", 2, D::Str), O("compressed", 3, D::Bool)];
/// A work item as JS sees it: npm `openiap` names (`id`, not `_id`), `payload` JSON-parsed,
/// `nextrun`/`lastrun` as `Date` (absent when unset).
pub const WORKITEM_OUT: &[O] = &[
    O("id", 1, D::Str), O("name", 2, D::Str), O("state", 8, D::Str), O("wiq", 9, D::Str), O("wiqid", 10, D::Str),
    O("username", 12, D::Str), O("success_wiqid", 13, D::Str), O("failed_wiqid", 14, D::Str),
    O("success_wiq", 15, D::Str), O("failed_wiq", 16, D::Str), O("errormessage", 17, D::Str),
    O("errorsource", 18, D::Str), O("errortype", 19, D::Str), O("payload", 3, D::Json), O("priority", 4, D::I32),
    O("retries", 11, D::I32), O("files", 7, D::Msgs(FILE_OUT)), O("nextrun", 5, D::Date), O("lastrun", 6, D::Date),
];
/// An access control entry.
pub const ACE_OUT: &[O] = &[O("_id", 1, D::Str), O("deny", 2, D::Bool), O("rights", 3, D::I32)];
/// A work item queue.
pub const WORKITEM_QUEUE_OUT: &[O] = &[
    O("_id", 13, D::Str), O("name", 15, D::Str), O("workflowid", 1, D::Str), O("robotqueue", 2, D::Str),
    O("amqpqueue", 3, D::Str), O("projectid", 4, D::Str), O("usersrole", 5, D::Str), O("maxretries", 6, D::I32),
    O("retrydelay", 7, D::I32), O("initialdelay", 8, D::I32), O("success_wiqid", 9, D::Str),
    O("failed_wiqid", 10, D::Str), O("success_wiq", 11, D::Str), O("failed_wiq", 12, D::Str),
    O("_acl", 14, D::Msgs(ACE_OUT)), O("_createdbyid", 16, D::Str), O("_createdby", 17, D::Str),
    O("_created", 18, D::Date), O("_modifiedbyid", 19, D::Str), O("_modifiedby", 20, D::Str),
    O("_modified", 21, D::Date), O("_version", 22, D::I32), O("packageid", 23, D::Str),
];
/// A customer (billing).
pub const CUSTOMER_OUT: &[O] = &[
    O("_id", 1, D::Str), O("_type", 2, D::Str), O("stripeid", 3, D::Str), O("userid", 4, D::Str), O("name", 5, D::Str),
    O("country", 6, D::Str), O("email", 7, D::Str), O("address", 8, D::Str), O("vattype", 9, D::Str),
    O("vatnumber", 10, D::Str), O("taxrate", 11, D::Str), O("tax", 12, D::I32), O("coupon", 13, D::Str),
    O("hascard", 14, D::Bool), O("memory", 15, D::Str), O("openflowuserplan", 16, D::Str),
    O("supportplan", 17, D::Str), O("supporthourplan", 18, D::Str), O("subscriptionid", 19, D::Str),
    O("admins", 20, D::Str), O("users", 21, D::Str), O("customattr1", 22, D::Str), O("customattr2", 23, D::Str),
    O("customattr3", 24, D::Str), O("customattr4", 25, D::Str), O("customattr5", 26, D::Str),
    O("domains", 27, D::Strs), O("dbusage", 28, D::I32), O("dblocked", 29, D::Bool),
];
/// `ensure_customer`'s reply: the stored customer (the Stripe object is not read).
pub const ENSURE_CUSTOMER_OUT: &[O] = &[O("customer", 1, D::Msg(CUSTOMER_OUT))];
/// `update_document`'s reply: MongoDB's update result.
pub const UPDATE_RESULT_OUT: &[O] = &[
    O("acknowledged", 1, D::Bool), O("matchedCount", 2, D::I32), O("modifiedCount", 3, D::I32),
    O("upsertedCount", 4, D::I32), O("upsertedId", 5, D::Str),
];
/// `upload`'s reply.
pub const UPLOAD_OUT: &[O] = &[
    O("id", 1, D::Str), O("filename", 2, D::Str), O("bytes", 3, D::I32), O("chunks", 4, D::I32),
    O("mb", 5, D::F32), O("elapsedTime", 6, D::I32), O("mbps", 7, D::F32),
];
/// `download`'s reply (its data arrives as a stream first).
pub const DOWNLOAD_OUT: &[O] = &[O("id", 1, D::Str), O("filename", 2, D::Str), O("mimetype", 3, D::Str)];
/// A role of a user.
pub const ROLE_OUT: &[O] = &[O("_id", 1, D::Str), O("name", 2, D::Str)];
/// A user, as sign-in and `refreshtoken` give it.
pub const USER_OUT: &[O] = &[
    O("_id", 1, D::Str), O("name", 2, D::Str), O("username", 3, D::Str), O("email", 4, D::Str),
    O("roles", 5, D::Msgs(ROLE_OUT)),
];
/// `signin`'s reply: `{jwt, user}`.
pub const SIGNIN_OUT: &[O] = &[O("jwt", 1, D::Str), O("user", 2, D::Msg(USER_OUT))];
/// A `queueevent`, as a queue callback gets it.
pub const QUEUE_EVENT_OUT: &[O] = &[
    O("queuename", 1, D::Str), O("correlation_id", 2, D::Str), O("replyto", 3, D::Str),
    O("routingkey", 4, D::Str), O("exchangename", 5, D::Str), O("data", 6, D::Data),
];
/// A `watchevent`, as a watch callback gets it.
pub const WATCH_EVENT_OUT: &[O] = &[O("id", 1, D::Str), O("operation", 2, D::Str), O("document", 3, D::Json)];

// ----- requests ---------------------------------------------------------------------------------

/// The JSON in field 1 of the reply.
const JSON_REPLY: Reply = Reply::Field(1, D::Json);
/// The int32 in field 1 of the reply.
const INT_REPLY: Reply = Reply::Field(1, D::I32);
/// Push, pop and update replies: `Workitem workitem = 1` (null when pop finds nothing).
const WORKITEM_REPLY: Reply = Reply::Field(1, D::Msg(WORKITEM_OUT));
/// Work item queue replies: `WorkItemQueue workitemqueue = 1`.
const WORKITEM_QUEUE_REPLY: Reply = Reply::Field(1, D::Msg(WORKITEM_QUEUE_OUT));
/// A work item queue, `wiq` or `wiqid`.
const NEED_QUEUE: Option<Need> = Some(Need { within: "", keys: &["wiq", "wiqid"], message: "wiq or wiqid is required" });

/// The fields of `query` and `get_one` (which defaults `top` to 1 in `src/js/client.js`).
const QUERY_FIELDS: &[F] = &[
    F("query", 1, K::Json("{}")), F("collectionname", 2, K::Str), F("projection", 3, K::Json("{}")),
    F("top", 4, K::Int(100)), F("skip", 5, K::Int(0)), F("orderby", 6, K::Json("")), F("queryas", 7, K::Str),
    F("explain", 8, K::Bool),
];
/// `query`: documents matching `query`.
pub const QUERY: Method = Method { name: "query", command: "query", message: "QueryRequest", fields: QUERY_FIELDS, reply: JSON_REPLY, need: None };
/// `get_one`: the first document matching `query`, or null.
pub const GET_ONE: Method = Method { name: "get_one", command: "query", message: "QueryRequest", fields: QUERY_FIELDS, reply: Reply::Field(1, D::First), need: None };
/// `get_document_version`: a document as it was at `version`.
pub const GET_DOCUMENT_VERSION: Method = Method {
    name: "get_document_version", command: "getdocumentversion", message: "GetDocumentVersionRequest", reply: JSON_REPLY, need: None,
    fields: &[F("collectionname", 1, K::Def("entities")), F("id", 2, K::Req), F("version", 3, K::Int(0)), F("decrypt", 4, K::Bool)],
};
/// `count`.
pub const COUNT: Method = Method {
    name: "count", command: "count", message: "CountRequest", reply: INT_REPLY, need: None,
    fields: &[F("collectionname", 1, K::Str), F("query", 2, K::Json("{}")), F("queryas", 3, K::Str), F("explain", 4, K::Bool)],
};
/// `distinct`.
pub const DISTINCT: Method = Method {
    name: "distinct", command: "distinct", message: "DistinctRequest", reply: Reply::Field(1, D::Strs), need: None,
    fields: &[
        F("collectionname", 1, K::Str), F("field", 3, K::Req), F("query", 4, K::Json("{}")), F("queryas", 5, K::Str),
        F("options", 6, K::Json("")), F("explain", 7, K::Bool),
    ],
};
/// `aggregate`.
pub const AGGREGATE: Method = Method {
    name: "aggregate", command: "aggregate", message: "AggregateRequest", reply: JSON_REPLY, need: None,
    fields: &[
        F("collectionname", 1, K::Str), F("aggregates", 2, K::Json("[]")), F("queryas", 3, K::Str),
        F("hint", 4, K::Json("")), F("explain", 5, K::Bool),
    ],
};
/// The fields of `insertone` and `updateone`.
const ONE: &[F] = &[F("collectionname", 1, K::Str), F("item", 2, K::Json("{}")), F("w", 3, K::Int(1)), F("j", 4, K::Bool)];
/// `insert_one`.
pub const INSERT_ONE: Method = Method { name: "insert_one", command: "insertone", message: "InsertOneRequest", fields: ONE, reply: JSON_REPLY, need: None };
/// `update_one`.
pub const UPDATE_ONE: Method = Method { name: "update_one", command: "updateone", message: "UpdateOneRequest", fields: ONE, reply: JSON_REPLY, need: None };
/// `insert_many`.
pub const INSERT_MANY: Method = Method {
    name: "insert_many", command: "insertmany", message: "InsertManyRequest", reply: JSON_REPLY, need: None,
    fields: &[
        F("collectionname", 1, K::Str), F("items", 2, K::Json("[]")), F("w", 3, K::Int(1)), F("j", 4, K::Bool),
        F("skipresults", 5, K::Bool),
    ],
};
/// `update_document`: a MongoDB update (`document` with operators such as `$set`) of the documents
/// matching `query`.
pub const UPDATE_DOCUMENT: Method = Method {
    name: "update_document", command: "updatedocument", message: "UpdateDocumentRequest", need: None,
    reply: Reply::Field(1, D::Msg(UPDATE_RESULT_OUT)),
    fields: &[
        F("collectionname", 1, K::Str), F("query", 2, K::Json("{}")), F("document", 3, K::Json("{}")),
        F("w", 4, K::Int(1)), F("j", 5, K::Bool),
    ],
};
/// `insert_or_update_one`.
pub const INSERT_OR_UPDATE_ONE: Method = Method {
    name: "insert_or_update_one", command: "insertorupdateone", message: "InsertOrUpdateOneRequest", reply: JSON_REPLY, need: None,
    fields: &[
        F("collectionname", 1, K::Str), F("uniqeness", 2, K::Def("_id")), F("item", 3, K::Json("{}")),
        F("w", 4, K::Int(1)), F("j", 5, K::Bool),
    ],
};
/// `insert_or_update_many`.
pub const INSERT_OR_UPDATE_MANY: Method = Method {
    name: "insert_or_update_many", command: "insertorupdatemany", message: "InsertOrUpdateManyRequest", reply: JSON_REPLY, need: None,
    fields: &[
        F("collectionname", 1, K::Str), F("uniqeness", 2, K::Def("_id")), F("items", 3, K::Json("[]")),
        F("w", 4, K::Int(1)), F("j", 5, K::Bool), F("skipresults", 6, K::Bool),
    ],
};
/// `delete_one`.
pub const DELETE_ONE: Method = Method {
    name: "delete_one", command: "deleteone", message: "DeleteOneRequest", reply: INT_REPLY, need: None,
    fields: &[F("collectionname", 1, K::Str), F("id", 2, K::Req), F("recursive", 3, K::Bool)],
};
/// `delete_many`.
pub const DELETE_MANY: Method = Method {
    name: "delete_many", command: "deletemany", message: "DeleteManyRequest", reply: INT_REPLY, need: None,
    fields: &[F("collectionname", 1, K::Str), F("query", 2, K::Json("")), F("recursive", 3, K::Bool), F("ids", 4, K::Strs)],
};
/// `list_collections(includehist)`.
pub const LIST_COLLECTIONS: Method = Method {
    name: "list_collections", command: "listcollections", message: "ListCollectionsRequest", reply: JSON_REPLY, need: None,
    fields: &[F("includehist", 1, K::Bool)],
};
/// A collection's collation: npm's snake_case keys and MongoDB's camelCase ones.
const COLLATION: &[F] = &[
    F("locale", 1, K::Str), F("case_level", 2, K::Bool), F("caseLevel", 2, K::Bool), F("case_first", 3, K::Str),
    F("caseFirst", 3, K::Str), F("strength", 4, K::Int(0)), F("numeric_ordering", 5, K::Bool),
    F("numericOrdering", 5, K::Bool), F("alternate", 6, K::Str), F("max_variable", 7, K::Str),
    F("maxVariable", 7, K::Str), F("backwards", 8, K::Bool),
];
/// A time series collection's settings, snake_case or camelCase.
const TIMESERIES: &[F] = &[
    F("time_field", 1, K::Str), F("timeField", 1, K::Str), F("meta_field", 2, K::Str), F("metaField", 2, K::Str),
    F("granularity", 3, K::Str),
];
/// `create_collection`.
pub const CREATE_COLLECTION: Method = Method {
    name: "create_collection", command: "createcollection", message: "CreateCollectionRequest", reply: Reply::Unit, need: None,
    fields: &[
        F("collectionname", 1, K::Req), F("collation", 2, K::Msg(COLLATION)), F("timeseries", 3, K::Msg(TIMESERIES)),
        F("expire_after_seconds", 4, K::Int(0)), F("change_stream_pre_and_post_images", 5, K::Bool),
        F("capped", 6, K::Bool), F("max", 7, K::Int(0)), F("size", 8, K::Int(0)),
    ],
};
/// `drop_collection(collectionname)`.
pub const DROP_COLLECTION: Method = Method {
    name: "drop_collection", command: "dropcollection", message: "DropCollectionRequest", reply: Reply::Unit, need: None,
    fields: &[F("collectionname", 1, K::Req)],
};
/// `get_indexes(collectionname)`.
pub const GET_INDEXES: Method = Method {
    name: "get_indexes", command: "getindexes", message: "GetIndexesRequest", reply: JSON_REPLY, need: None,
    fields: &[F("collectionname", 1, K::Req)],
};
/// `create_index`.
pub const CREATE_INDEX: Method = Method {
    name: "create_index", command: "createindex", message: "CreateIndexRequest", reply: JSON_REPLY, need: None,
    fields: &[F("collectionname", 1, K::Req), F("index", 2, K::Json("{}")), F("options", 3, K::Json("{}")), F("name", 4, K::Str)],
};
/// `drop_index(collectionname, indexname)`.
pub const DROP_INDEX: Method = Method {
    name: "drop_index", command: "dropindex", message: "DropIndexRequest", reply: Reply::Unit, need: None,
    fields: &[F("collectionname", 1, K::Req), F("name", 2, K::Req)],
};
/// A file of a work item (`_id` or `id`; `file` holds its bytes).
const FILE: &[F] = &[F("filename", 1, K::Str), F("_id", 2, K::Str), F("id", 2, K::Str), F("compressed", 3, K::Bool), F("file", 4, K::Bytes)];
/// `push_workitem`.
pub const PUSH_WORKITEM: Method = Method {
    name: "push_workitem", command: "pushworkitem", message: "PushWorkitemRequest", reply: WORKITEM_REPLY, need: NEED_QUEUE,
    fields: &[
        F("wiq", 1, K::Str), F("wiqid", 2, K::Str), F("name", 3, K::Str), F("payload", 4, K::Json("{}")),
        F("nextrun", 5, K::Time), F("success_wiqid", 6, K::Str), F("failed_wiqid", 7, K::Str), F("success_wiq", 8, K::Str),
        F("failed_wiq", 9, K::Str), F("priority", 10, K::Int(2)), F("files", 11, K::Msgs(FILE)),
    ],
};
/// A work item, as npm `openiap` shows it (`id`, or `_id`).
const WORKITEM: &[F] = &[
    F("_id", 1, K::Str), F("id", 1, K::Str), F("name", 2, K::Str), F("payload", 3, K::Json("{}")), F("priority", 4, K::Int(2)),
    F("nextrun", 5, K::Time), F("lastrun", 6, K::Time), F("files", 7, K::Msgs(FILE)), F("state", 8, K::Str),
    F("wiq", 9, K::Str), F("wiqid", 10, K::Str), F("retries", 11, K::Int(0)), F("username", 12, K::Str),
    F("success_wiqid", 13, K::Str), F("failed_wiqid", 14, K::Str), F("success_wiq", 15, K::Str),
    F("failed_wiq", 16, K::Str), F("errormessage", 17, K::Str), F("errorsource", 18, K::Str), F("errortype", 19, K::Str),
];
/// `push_workitems`: several work items (`items`) in one request.
pub const PUSH_WORKITEMS: Method = Method {
    name: "push_workitems", command: "pushworkitems", message: "PushWorkitemsRequest", need: NEED_QUEUE,
    reply: Reply::Field(1, D::Msgs(WORKITEM_OUT)),
    fields: &[
        F("wiq", 1, K::Str), F("wiqid", 2, K::Str), F("nextrun", 3, K::Time), F("success_wiqid", 4, K::Str),
        F("failed_wiqid", 5, K::Str), F("success_wiq", 6, K::Str), F("failed_wiq", 7, K::Str),
        F("priority", 8, K::Int(2)), F("items", 9, K::Msgs(WORKITEM)),
    ],
};
/// `pop_workitem`.
pub const POP_WORKITEM: Method = Method {
    name: "pop_workitem", command: "popworkitem", message: "PopWorkitemRequest", reply: WORKITEM_REPLY, need: NEED_QUEUE,
    fields: &[F("wiq", 1, K::Str), F("wiqid", 2, K::Str)],
};
/// `update_workitem`.
pub const UPDATE_WORKITEM: Method = Method {
    name: "update_workitem", command: "updateworkitem", message: "UpdateWorkitemRequest", reply: WORKITEM_REPLY,
    need: Some(Need { within: "workitem", keys: &["id", "_id"], message: "workitem with an id is required" }),
    fields: &[F("workitem", 1, K::Msg(WORKITEM)), F("ignoremaxretries", 2, K::Bool), F("files", 3, K::Msgs(FILE))],
};
/// `delete_workitem(id)`.
pub const DELETE_WORKITEM: Method = Method {
    name: "delete_workitem", command: "deleteworkitem", message: "DeleteWorkitemRequest", reply: Reply::Unit, need: None,
    fields: &[F("id", 1, K::Req)],
};
/// An access control entry.
const ACE: &[F] = &[F("_id", 1, K::Str), F("deny", 2, K::Bool), F("rights", 3, K::Int(0))];
/// A work item queue, as the official clients name its fields.
const WORKITEM_QUEUE: &[F] = &[
    F("workflowid", 1, K::Str), F("robotqueue", 2, K::Str), F("amqpqueue", 3, K::Str), F("projectid", 4, K::Str),
    F("usersrole", 5, K::Str), F("maxretries", 6, K::Int(3)), F("retrydelay", 7, K::Int(0)),
    F("initialdelay", 8, K::Int(0)), F("success_wiqid", 9, K::Str), F("failed_wiqid", 10, K::Str),
    F("success_wiq", 11, K::Str), F("failed_wiq", 12, K::Str), F("_id", 13, K::Str), F("_acl", 14, K::Msgs(ACE)),
    F("name", 15, K::Str), F("_createdbyid", 16, K::Str), F("_createdby", 17, K::Str), F("_created", 18, K::Time),
    F("_modifiedbyid", 19, K::Str), F("_modifiedby", 20, K::Str), F("_modified", 21, K::Time),
    F("_version", 22, K::Int(0)), F("packageid", 23, K::Str),
];
/// The queue of an `add`/`update` request.
const NEED_WORKITEM_QUEUE: Option<Need> = Some(Need { within: "workitemqueue", keys: &["name", "_id"], message: "workitemqueue with a name is required" });
/// `add_workitem_queue`.
pub const ADD_WORKITEM_QUEUE: Method = Method {
    name: "add_workitem_queue", command: "addworkitemqueue", message: "AddWorkItemQueueRequest", reply: WORKITEM_QUEUE_REPLY,
    need: NEED_WORKITEM_QUEUE, fields: &[F("workitemqueue", 1, K::Msg(WORKITEM_QUEUE)), F("skiprole", 2, K::Bool)],
};
/// `update_workitem_queue`.
pub const UPDATE_WORKITEM_QUEUE: Method = Method {
    name: "update_workitem_queue", command: "updateworkitemqueue", message: "UpdateWorkItemQueueRequest", reply: WORKITEM_QUEUE_REPLY,
    need: NEED_WORKITEM_QUEUE,
    fields: &[F("workitemqueue", 1, K::Msg(WORKITEM_QUEUE)), F("skiprole", 2, K::Bool), F("purge", 3, K::Bool)],
};
/// `delete_workitem_queue`.
pub const DELETE_WORKITEM_QUEUE: Method = Method {
    name: "delete_workitem_queue", command: "deleteworkitemqueue", message: "DeleteWorkItemQueueRequest", reply: Reply::Unit,
    need: NEED_QUEUE, fields: &[F("wiq", 1, K::Str), F("wiqid", 2, K::Str), F("purge", 3, K::Bool)],
};
/// `custom_command`.
pub const CUSTOM_COMMAND: Method = Method {
    name: "custom_command", command: "customcommand", message: "CustomCommandRequest", reply: JSON_REPLY, need: None,
    fields: &[F("command", 1, K::Req), F("id", 2, K::Str), F("name", 3, K::Str), F("data", 4, K::Json("{}"))],
};
/// `create_workflow_instance`: resolves to the new instance's id.
pub const CREATE_WORKFLOW_INSTANCE: Method = Method {
    name: "create_workflow_instance", command: "createworkflowinstance", message: "CreateWorkflowInstanceRequest",
    reply: Reply::Field(1, D::Str), need: None,
    fields: &[
        F("targetid", 1, K::Str), F("workflowid", 2, K::Req), F("name", 3, K::Str), F("resultqueue", 4, K::Str),
        F("data", 5, K::Json("{}")), F("initialrun", 6, K::Bool),
    ],
};
/// A customer (billing).
const CUSTOMER: &[F] = &[
    F("_id", 1, K::Str), F("_type", 2, K::Def("customer")), F("stripeid", 3, K::Str), F("userid", 4, K::Str),
    F("name", 5, K::Str), F("country", 6, K::Str), F("email", 7, K::Str), F("address", 8, K::Str),
    F("vattype", 9, K::Str), F("vatnumber", 10, K::Str), F("taxrate", 11, K::Str), F("tax", 12, K::Int(0)),
    F("coupon", 13, K::Str), F("hascard", 14, K::Bool), F("memory", 15, K::Str), F("openflowuserplan", 16, K::Str),
    F("supportplan", 17, K::Str), F("supporthourplan", 18, K::Str), F("subscriptionid", 19, K::Str),
    F("admins", 20, K::Str), F("users", 21, K::Str), F("customattr1", 22, K::Str), F("customattr2", 23, K::Str),
    F("customattr3", 24, K::Str), F("customattr4", 25, K::Str), F("customattr5", 26, K::Str),
    F("domains", 27, K::Strs), F("dbusage", 28, K::Int(0)), F("dblocked", 29, K::Bool),
];
/// `ensure_customer`: creates the customer if needed; resolves to `{customer}`.
pub const ENSURE_CUSTOMER: Method = Method {
    name: "ensure_customer", command: "ensurecustomer", message: "EnsureCustomerRequest", need: None,
    reply: Reply::Object(ENSURE_CUSTOMER_OUT), fields: &[F("customer", 1, K::Msg(CUSTOMER)), F("ensureas", 3, K::Str)],
};
/// The one field of the agent requests that name an agent.
const AGENT: &[F] = &[F("agentid", 1, K::Req)];
/// An agent and one of its pods.
const AGENT_POD: &[F] = &[F("agentid", 1, K::Req), F("podname", 2, K::Str)];
/// `start_agent(agentid)`.
pub const START_AGENT: Method = Method { name: "start_agent", command: "startagent", message: "StartAgentRequest", fields: AGENT, reply: Reply::Unit, need: None };
/// `stop_agent(agentid)`.
pub const STOP_AGENT: Method = Method { name: "stop_agent", command: "stopagent", message: "StopAgentRequest", fields: AGENT, reply: Reply::Unit, need: None };
/// `delete_agent(agentid)`.
pub const DELETE_AGENT: Method = Method { name: "delete_agent", command: "deleteagent", message: "DeleteAgentRequest", fields: AGENT, reply: Reply::Unit, need: None };
/// `delete_agent_pod(agentid, podname)`.
pub const DELETE_AGENT_POD: Method = Method { name: "delete_agent_pod", command: "deleteagentpod", message: "DeleteAgentPodRequest", fields: AGENT_POD, reply: Reply::Unit, need: None };
/// `get_agent_pod_logs(agentid, podname)`: the log text.
pub const GET_AGENT_POD_LOGS: Method = Method { name: "get_agent_pod_logs", command: "getagentlog", message: "GetAgentLogRequest", fields: AGENT_POD, reply: Reply::Field(1, D::Str), need: None };
/// `get_agent_pods(agentid, stats)`: the agent's pods.
pub const GET_AGENT_PODS: Method = Method {
    name: "get_agent_pods", command: "getagentpods", message: "GetAgentPodsRequest", reply: JSON_REPLY, need: None,
    fields: &[F("agentid", 1, K::Str), F("stats", 2, K::Bool)],
};
/// `delete_package(packageid)`.
pub const DELETE_PACKAGE: Method = Method {
    name: "delete_package", command: "deletepackage", message: "DeletePackageRequest", reply: Reply::Unit, need: None,
    fields: &[F("packageid", 1, K::Req)],
};
/// `upload` (its data follows as a stream).
pub const UPLOAD: Method = Method {
    name: "upload", command: "upload", message: "UploadRequest", reply: Reply::Object(UPLOAD_OUT), need: None,
    fields: &[
        F("filename", 1, K::Req), F("mimetype", 2, K::Def("application/octet-stream")), F("metadata", 3, K::Json("{}")),
        F("collectionname", 4, K::Def("fs.files")),
    ],
};
/// `download` (its data arrives as a stream before the reply).
pub const DOWNLOAD: Method = Method {
    name: "download", command: "download", message: "DownloadRequest", reply: Reply::Object(DOWNLOAD_OUT), need: None,
    fields: &[F("id", 1, K::Req), F("filename", 2, K::Str), F("collectionname", 3, K::Def("fs.files"))],
};

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
