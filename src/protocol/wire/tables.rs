//! The field tables of every request the data API sends and every reply it reads, plus the
//! server pushes the client delivers (queue messages, watch events) and the sign-in reply.
//! Option names and result keys are those of the npm `openiap` client.

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

/// A request method of the data API: the envelope command, the request message, how the option
/// object fills it, and what the reply becomes.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    /// `Envelope.command`.
    pub command: &'static str,
    /// The request message, `openiap.<message>`.
    pub message: &'static str,
    /// Option name → request field.
    pub fields: &'static [F],
    /// The reply message, `openiap.<reply>` (for the table tests).
    pub reply_message: &'static str,
    /// What the promise resolves with.
    pub reply: Reply,
}

// ----- replies ----------------------------------------------------------------------------------

/// Work item files: `{filename, id, compressed}`.
pub const FILE_OUT: &[O] = &[
    O("filename", 1, D::Str),
    O("id", 2, D::Str),
    O("compressed", 3, D::Bool),
];
/// A work item as JS sees it: npm `openiap` names (`id`, not `_id`), `payload` JSON-parsed,
/// `nextrun`/`lastrun` as `Date` (absent when unset).
pub const WORKITEM_OUT: &[O] = &[
    O("id", 1, D::Str),
    O("name", 2, D::Str),
    O("state", 8, D::Str),
    O("wiq", 9, D::Str),
    O("wiqid", 10, D::Str),
    O("username", 12, D::Str),
    O("success_wiqid", 13, D::Str),
    O("failed_wiqid", 14, D::Str),
    O("success_wiq", 15, D::Str),
    O("failed_wiq", 16, D::Str),
    O("errormessage", 17, D::Str),
    O("errorsource", 18, D::Str),
    O("errortype", 19, D::Str),
    O("payload", 3, D::Json),
    O("priority", 4, D::I32),
    O("retries", 11, D::I32),
    O("files", 7, D::Msgs(FILE_OUT)),
    O("nextrun", 5, D::Date),
    O("lastrun", 6, D::Date),
];
/// `upload`'s reply.
pub const UPLOAD_OUT: &[O] = &[
    O("id", 1, D::Str),
    O("filename", 2, D::Str),
    O("bytes", 3, D::I32),
    O("chunks", 4, D::I32),
    O("mb", 5, D::F32),
    O("elapsedTime", 6, D::I32),
    O("mbps", 7, D::F32),
];
/// `download`'s reply (its data arrives as a stream first).
pub const DOWNLOAD_OUT: &[O] = &[
    O("id", 1, D::Str),
    O("filename", 2, D::Str),
    O("mimetype", 3, D::Str),
];
/// A role of a user.
pub const ROLE_OUT: &[O] = &[O("_id", 1, D::Str), O("name", 2, D::Str)];
/// A user, as sign-in and `refreshtoken` give it.
pub const USER_OUT: &[O] = &[
    O("_id", 1, D::Str),
    O("name", 2, D::Str),
    O("username", 3, D::Str),
    O("email", 4, D::Str),
    O("roles", 5, D::Msgs(ROLE_OUT)),
];
/// `signin`'s reply: `{jwt, user}`.
pub const SIGNIN_OUT: &[O] = &[O("jwt", 1, D::Str), O("user", 2, D::Msg(USER_OUT))];
/// A `queueevent`, as a queue callback gets it.
pub const QUEUE_EVENT_OUT: &[O] = &[
    O("queuename", 1, D::Str),
    O("correlation_id", 2, D::Str),
    O("replyto", 3, D::Str),
    O("routingkey", 4, D::Str),
    O("exchangename", 5, D::Str),
    O("data", 6, D::Data),
];
/// A `watchevent`, as a watch callback gets it.
pub const WATCH_EVENT_OUT: &[O] = &[
    O("id", 1, D::Str),
    O("operation", 2, D::Str),
    O("document", 3, D::Json),
];

// ----- requests ---------------------------------------------------------------------------------

/// The JSON in field 1 of the reply.
const JSON_REPLY: Reply = Reply::Field(1, D::Json);
/// The int32 in field 1 of the reply.
const INT_REPLY: Reply = Reply::Field(1, D::I32);
/// Push, pop and update replies: `Workitem workitem = 1` (null when pop finds nothing).
const WORKITEM_REPLY: Reply = Reply::Field(1, D::Msg(WORKITEM_OUT));

/// `query`: documents matching `query` (`projection`, `orderby`, `skip`, `top` = 100).
pub const QUERY: Method = Method {
    command: "query",
    message: "QueryRequest",
    fields: &[
        F("query", 1, K::Json("{}")),
        F("collectionname", 2, K::Str),
        F("projection", 3, K::Json("{}")),
        F("top", 4, K::Int(100)),
        F("skip", 5, K::Int(0)),
        F("orderby", 6, K::Json("")),
        F("queryas", 7, K::Str),
        F("explain", 8, K::Bool),
    ],
    reply_message: "QueryResponse",
    reply: JSON_REPLY,
};
/// `count`.
pub const COUNT: Method = Method {
    command: "count",
    message: "CountRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("query", 2, K::Json("{}")),
        F("queryas", 3, K::Str),
        F("explain", 4, K::Bool),
    ],
    reply_message: "CountResponse",
    reply: INT_REPLY,
};
/// `distinct`.
pub const DISTINCT: Method = Method {
    command: "distinct",
    message: "DistinctRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("field", 3, K::Req),
        F("query", 4, K::Json("{}")),
        F("queryas", 5, K::Str),
        F("options", 6, K::Json("")),
        F("explain", 7, K::Bool),
    ],
    reply_message: "DistinctResponse",
    reply: Reply::Field(1, D::Strs),
};
/// `aggregate`.
pub const AGGREGATE: Method = Method {
    command: "aggregate",
    message: "AggregateRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("aggregates", 2, K::Json("[]")),
        F("queryas", 3, K::Str),
        F("hint", 4, K::Json("")),
        F("explain", 5, K::Bool),
    ],
    reply_message: "AggregateResponse",
    reply: JSON_REPLY,
};
/// The fields of `insertone` and `updateone`.
const ONE: &[F] = &[
    F("collectionname", 1, K::Str),
    F("item", 2, K::Json("{}")),
    F("w", 3, K::Int(1)),
    F("j", 4, K::Bool),
];
/// `insert_one`.
pub const INSERT_ONE: Method = Method {
    command: "insertone",
    message: "InsertOneRequest",
    fields: ONE,
    reply_message: "InsertOneResponse",
    reply: JSON_REPLY,
};
/// `update_one`.
pub const UPDATE_ONE: Method = Method {
    command: "updateone",
    message: "UpdateOneRequest",
    fields: ONE,
    reply_message: "UpdateOneResponse",
    reply: JSON_REPLY,
};
/// `insert_many`.
pub const INSERT_MANY: Method = Method {
    command: "insertmany",
    message: "InsertManyRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("items", 2, K::Json("[]")),
        F("w", 3, K::Int(1)),
        F("j", 4, K::Bool),
        F("skipresults", 5, K::Bool),
    ],
    reply_message: "InsertManyResponse",
    reply: JSON_REPLY,
};
/// `insert_or_update_one`.
pub const INSERT_OR_UPDATE_ONE: Method = Method {
    command: "insertorupdateone",
    message: "InsertOrUpdateOneRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("uniqeness", 2, K::Def("_id")),
        F("item", 3, K::Json("{}")),
        F("w", 4, K::Int(1)),
        F("j", 5, K::Bool),
    ],
    reply_message: "InsertOrUpdateOneResponse",
    reply: JSON_REPLY,
};
/// `insert_or_update_many`.
pub const INSERT_OR_UPDATE_MANY: Method = Method {
    command: "insertorupdatemany",
    message: "InsertOrUpdateManyRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("uniqeness", 2, K::Def("_id")),
        F("items", 3, K::Json("[]")),
        F("w", 4, K::Int(1)),
        F("j", 5, K::Bool),
        F("skipresults", 6, K::Bool),
    ],
    reply_message: "InsertOrUpdateManyResponse",
    reply: JSON_REPLY,
};
/// `delete_one`.
pub const DELETE_ONE: Method = Method {
    command: "deleteone",
    message: "DeleteOneRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("id", 2, K::Req),
        F("recursive", 3, K::Bool),
    ],
    reply_message: "DeleteOneResponse",
    reply: INT_REPLY,
};
/// `delete_many`.
pub const DELETE_MANY: Method = Method {
    command: "deletemany",
    message: "DeleteManyRequest",
    fields: &[
        F("collectionname", 1, K::Str),
        F("query", 2, K::Json("")),
        F("recursive", 3, K::Bool),
        F("ids", 4, K::Strs),
    ],
    reply_message: "DeleteManyResponse",
    reply: INT_REPLY,
};
/// `list_collections(includehist)`.
pub const LIST_COLLECTIONS: Method = Method {
    command: "listcollections",
    message: "ListCollectionsRequest",
    fields: &[F("includehist", 1, K::Bool)],
    reply_message: "ListCollectionsResponse",
    reply: JSON_REPLY,
};
/// A collection's collation.
const COLLATION: &[F] = &[
    F("locale", 1, K::Str),
    F("caseLevel", 2, K::Bool),
    F("caseFirst", 3, K::Str),
    F("strength", 4, K::Int(0)),
    F("numericOrdering", 5, K::Bool),
    F("alternate", 6, K::Str),
    F("maxVariable", 7, K::Str),
    F("backwards", 8, K::Bool),
];
/// A time series collection's settings.
const TIMESERIES: &[F] = &[
    F("timeField", 1, K::Str),
    F("metaField", 2, K::Str),
    F("granularity", 3, K::Str),
];
/// `create_collection`.
pub const CREATE_COLLECTION: Method = Method {
    command: "createcollection",
    message: "CreateCollectionRequest",
    fields: &[
        F("collectionname", 1, K::Req),
        F("collation", 2, K::Msg(COLLATION)),
        F("timeseries", 3, K::Msg(TIMESERIES)),
        F("expire_after_seconds", 4, K::Int(0)),
        F("change_stream_pre_and_post_images", 5, K::Bool),
        F("capped", 6, K::Bool),
        F("max", 7, K::Int(0)),
        F("size", 8, K::Int(0)),
    ],
    reply_message: "CreateCollectionResponse",
    reply: Reply::Unit,
};
/// `drop_collection(collectionname)`.
pub const DROP_COLLECTION: Method = Method {
    command: "dropcollection",
    message: "DropCollectionRequest",
    fields: &[F("collectionname", 1, K::Req)],
    reply_message: "DropCollectionResponse",
    reply: Reply::Unit,
};
/// `get_indexes(collectionname)`.
pub const GET_INDEXES: Method = Method {
    command: "getindexes",
    message: "GetIndexesRequest",
    fields: &[F("collectionname", 1, K::Req)],
    reply_message: "GetIndexesResponse",
    reply: JSON_REPLY,
};
/// `create_index`.
pub const CREATE_INDEX: Method = Method {
    command: "createindex",
    message: "CreateIndexRequest",
    fields: &[
        F("collectionname", 1, K::Req),
        F("index", 2, K::Json("{}")),
        F("options", 3, K::Json("{}")),
        F("name", 4, K::Str),
    ],
    reply_message: "CreateIndexResponse",
    reply: JSON_REPLY,
};
/// `drop_index(collectionname, indexname)`.
pub const DROP_INDEX: Method = Method {
    command: "dropindex",
    message: "DropIndexRequest",
    fields: &[F("collectionname", 1, K::Req), F("name", 2, K::Req)],
    reply_message: "DropIndexResponse",
    reply: Reply::Unit,
};
/// A file of a work item (`_id` or `id`; `file` holds its bytes).
const FILE: &[F] = &[
    F("filename", 1, K::Str),
    F("_id", 2, K::Str),
    F("id", 2, K::Str),
    F("compressed", 3, K::Bool),
    F("file", 4, K::Bytes),
];
/// `push_workitem`.
pub const PUSH_WORKITEM: Method = Method {
    command: "pushworkitem",
    message: "PushWorkitemRequest",
    fields: &[
        F("wiq", 1, K::Str),
        F("wiqid", 2, K::Str),
        F("name", 3, K::Str),
        F("payload", 4, K::Json("{}")),
        F("nextrun", 5, K::Time),
        F("success_wiqid", 6, K::Str),
        F("failed_wiqid", 7, K::Str),
        F("success_wiq", 8, K::Str),
        F("failed_wiq", 9, K::Str),
        F("priority", 10, K::Int(2)),
        F("files", 11, K::Msgs(FILE)),
    ],
    reply_message: "PushWorkitemResponse",
    reply: WORKITEM_REPLY,
};
/// `pop_workitem`.
pub const POP_WORKITEM: Method = Method {
    command: "popworkitem",
    message: "PopWorkitemRequest",
    fields: &[F("wiq", 1, K::Str), F("wiqid", 2, K::Str)],
    reply_message: "PopWorkitemResponse",
    reply: WORKITEM_REPLY,
};
/// A work item, as npm `openiap` shows it (`id`, or `_id`).
const WORKITEM: &[F] = &[
    F("_id", 1, K::Str),
    F("id", 1, K::Str),
    F("name", 2, K::Str),
    F("payload", 3, K::Json("{}")),
    F("priority", 4, K::Int(2)),
    F("nextrun", 5, K::Time),
    F("lastrun", 6, K::Time),
    F("files", 7, K::Msgs(FILE)),
    F("state", 8, K::Str),
    F("wiq", 9, K::Str),
    F("wiqid", 10, K::Str),
    F("retries", 11, K::Int(0)),
    F("username", 12, K::Str),
    F("success_wiqid", 13, K::Str),
    F("failed_wiqid", 14, K::Str),
    F("success_wiq", 15, K::Str),
    F("failed_wiq", 16, K::Str),
    F("errormessage", 17, K::Str),
    F("errorsource", 18, K::Str),
    F("errortype", 19, K::Str),
];
/// `update_workitem`.
pub const UPDATE_WORKITEM: Method = Method {
    command: "updateworkitem",
    message: "UpdateWorkitemRequest",
    fields: &[
        F("workitem", 1, K::Msg(WORKITEM)),
        F("ignoremaxretries", 2, K::Bool),
        F("files", 3, K::Msgs(FILE)),
    ],
    reply_message: "UpdateWorkitemResponse",
    reply: WORKITEM_REPLY,
};
/// `delete_workitem(id)`.
pub const DELETE_WORKITEM: Method = Method {
    command: "deleteworkitem",
    message: "DeleteWorkitemRequest",
    fields: &[F("id", 1, K::Req)],
    reply_message: "DeleteWorkitemResponse",
    reply: Reply::Unit,
};
/// `custom_command`.
pub const CUSTOM_COMMAND: Method = Method {
    command: "customcommand",
    message: "CustomCommandRequest",
    fields: &[
        F("command", 1, K::Req),
        F("id", 2, K::Str),
        F("name", 3, K::Str),
        F("data", 4, K::Json("{}")),
    ],
    reply_message: "CustomCommandResponse",
    reply: JSON_REPLY,
};
/// `upload` (its data follows as a stream).
pub const UPLOAD: Method = Method {
    command: "upload",
    message: "UploadRequest",
    fields: &[
        F("filename", 1, K::Req),
        F("mimetype", 2, K::Def("application/octet-stream")),
        F("metadata", 3, K::Json("{}")),
        F("collectionname", 4, K::Def("fs.files")),
    ],
    reply_message: "UploadResponse",
    reply: Reply::Object(UPLOAD_OUT),
};
/// `download` (its data arrives as a stream before the reply).
pub const DOWNLOAD: Method = Method {
    command: "download",
    message: "DownloadRequest",
    fields: &[
        F("id", 1, K::Req),
        F("filename", 2, K::Str),
        F("collectionname", 3, K::Def("fs.files")),
    ],
    reply_message: "DownloadResponse",
    reply: Reply::Object(DOWNLOAD_OUT),
};

/// Every method, for the table tests.
pub const METHODS: &[Method] = &[
    QUERY,
    COUNT,
    DISTINCT,
    AGGREGATE,
    INSERT_ONE,
    UPDATE_ONE,
    INSERT_MANY,
    INSERT_OR_UPDATE_ONE,
    INSERT_OR_UPDATE_MANY,
    DELETE_ONE,
    DELETE_MANY,
    LIST_COLLECTIONS,
    CREATE_COLLECTION,
    DROP_COLLECTION,
    GET_INDEXES,
    CREATE_INDEX,
    DROP_INDEX,
    PUSH_WORKITEM,
    POP_WORKITEM,
    UPDATE_WORKITEM,
    DELETE_WORKITEM,
    CUSTOM_COMMAND,
    UPLOAD,
    DOWNLOAD,
];
