/** Any JSON value, or a string that is sent as it is (already JSON). */
export type Json = unknown;
/** A stored document: at least its `_id`. */
export interface Document { _id: string; [key: string]: unknown; }
export interface QueryOptions extends CallOptions { collectionname: string; query?: Json; projection?: Json; orderby?: Json; skip?: number; top?: number; queryas?: string; explain?: boolean }
export interface CountOptions extends CallOptions { collectionname: string; query?: Json; queryas?: string; explain?: boolean }
export interface DistinctOptions extends CallOptions { collectionname: string; field: string; query?: Json; queryas?: string; explain?: boolean }
export interface AggregateOptions extends CallOptions { collectionname: string; aggregates: Json; queryas?: string; hint?: string; explain?: boolean }
export interface InsertOneOptions extends CallOptions { collectionname: string; item: Json; w?: number; j?: boolean }
export interface InsertManyOptions extends CallOptions { collectionname: string; items: Json[]; w?: number; j?: boolean; skipresults?: boolean }
export interface UpdateOneOptions extends CallOptions { collectionname: string; item: Json; w?: number; j?: boolean }
export interface InsertOrUpdateOneOptions extends CallOptions { collectionname: string; item: Json; uniqeness?: string; w?: number; j?: boolean }
export interface InsertOrUpdateManyOptions extends CallOptions { collectionname: string; items: Json[]; uniqeness?: string; w?: number; j?: boolean; skipresults?: boolean }
export interface DeleteOneOptions extends CallOptions { collectionname: string; id: string; recursive?: boolean }
export interface DeleteManyOptions extends CallOptions { collectionname: string; query?: Json; ids?: string[]; recursive?: boolean }
/** A collection's collation: npm `openiap`'s snake_case keys or MongoDB's camelCase ones. */
export interface Collation {
  locale?: string; case_level?: boolean; caseLevel?: boolean; case_first?: string; caseFirst?: string; strength?: number;
  numeric_ordering?: boolean; numericOrdering?: boolean; alternate?: string; max_variable?: string; maxVariable?: string; backwards?: boolean;
}
/** A time series collection's settings, snake_case or camelCase. */
export interface Timeseries { time_field?: string; timeField?: string; meta_field?: string; metaField?: string; granularity?: "seconds" | "minutes" | "hours"; }
export interface CreateCollectionOptions extends CallOptions {
  collectionname: string; collation?: Collation; timeseries?: Timeseries;
  expire_after_seconds?: number; change_stream_pre_and_post_images?: boolean; capped?: boolean; max?: number; size?: number;
}
/** A collection, as `list_collections` gives it. */
export interface CollectionInfo { name: string; type: string; [key: string]: unknown; }
export interface CreateIndexOptions extends CallOptions { collectionname: string; index: Json; options?: Json; name?: string }
/** A file of a work item: `file` holds its bytes when sending; replies carry `id` (download it with `download`). */
export interface WorkitemFile { filename: string; id?: string; compressed?: boolean; file?: Uint8Array | ArrayBuffer | string; }
/** A work item; `T` is the type of its `payload`. */
export interface Workitem<T = unknown> {
  id: string; name: string; payload: T; priority: number; nextrun?: Date; lastrun?: Date; files: WorkitemFile[];
  state: "new" | "processing" | "successful" | "failed" | "retry" | (string & {}); wiq: string; wiqid: string; retries: number; username: string;
  success_wiqid: string; failed_wiqid: string; success_wiq: string; failed_wiq: string; errormessage: string; errorsource: string; errortype: string;
}
export interface PushWorkitemOptions extends CallOptions {
  wiq?: string; wiqid?: string; name: string; payload?: Json; nextrun?: Date | number; priority?: number; files?: WorkitemFile[];
  success_wiqid?: string; failed_wiqid?: string; success_wiq?: string; failed_wiq?: string;
}
export interface PopWorkitemOptions extends CallOptions { wiq?: string; wiqid?: string; }
export interface UpdateWorkitemOptions extends CallOptions { workitem: Partial<Workitem> & ({ id: string } | { _id: string }); ignoremaxretries?: boolean; files?: WorkitemFile[]; }
export interface CustomCommandOptions extends CallOptions { command: string; id?: string; name?: string; data?: Json; }
export interface GetDocumentVersionOptions extends CallOptions { collectionname?: string; id: string; version?: number; decrypt?: boolean; }
export interface UpdateDocumentOptions extends CallOptions { collectionname: string; query: Json; document: Json; w?: number; j?: boolean; }
/** MongoDB's result of `update_document`. */
export interface UpdateResult { acknowledged: boolean; matchedCount: number; modifiedCount: number; upsertedCount: number; upsertedId: string; }
export interface PushWorkitemsOptions extends CallOptions {
  wiq?: string; wiqid?: string; nextrun?: Date | number; priority?: number; items: (Partial<Workitem> & { name: string })[];
  success_wiqid?: string; failed_wiqid?: string; success_wiq?: string; failed_wiq?: string;
}
/** An access control entry. */
export interface Ace { _id: string; deny?: boolean; rights?: number; }
/** A work item queue. */
export interface WorkItemQueue {
  _id: string; name: string; workflowid: string; robotqueue: string; amqpqueue: string; projectid: string; usersrole: string;
  maxretries: number; retrydelay: number; initialdelay: number; success_wiqid: string; failed_wiqid: string; success_wiq: string; failed_wiq: string;
  _acl: Ace[]; _createdbyid: string; _createdby: string; _created?: Date; _modifiedbyid: string; _modifiedby: string; _modified?: Date; _version: number; packageid: string;
}
export interface AddWorkItemQueueOptions extends CallOptions { workitemqueue: Partial<WorkItemQueue> & { name: string }; skiprole?: boolean; }
export interface UpdateWorkItemQueueOptions extends CallOptions { workitemqueue: Partial<WorkItemQueue> & ({ _id: string } | { name: string }); skiprole?: boolean; purge?: boolean; }
export interface DeleteWorkItemQueueOptions extends CallOptions { wiq?: string; wiqid?: string; purge?: boolean; }
export interface CreateWorkflowInstanceOptions extends CallOptions { workflowid: string; targetid?: string; name?: string; resultqueue?: string; data?: Json; initialrun?: boolean; }
/** A customer (billing). */
export interface Customer {
  _id: string; _type: string; stripeid: string; userid: string; name: string; country: string; email: string; address: string;
  vattype: string; vatnumber: string; taxrate: string; tax: number; coupon: string; hascard: boolean; memory: string;
  openflowuserplan: string; supportplan: string; supporthourplan: string; subscriptionid: string; admins: string; users: string;
  customattr1: string; customattr2: string; customattr3: string; customattr4: string; customattr5: string;
  domains: string[]; dbusage: number; dblocked: boolean;
}
export interface EnsureCustomerOptions extends CallOptions { customer: Partial<Customer> & { name: string }; ensureas?: string; }
export interface UploadOptions extends CallOptions {
  filename: string; mimetype?: string; metadata?: Json; collectionname?: string;
  /** Read a 1 MiB chunk at a time while the upload runs: leave it unchanged until the promise settles. */
  data: Blob | Uint8Array | ArrayBuffer | ArrayBufferView | string;
  /** Called as each 1 MiB chunk goes to the connection: bytes so far, total. A throw is reported as an `Error` event. */
  progress?: (sent: number, total: number) => void;
 
}
export interface UploadResult { id: string; filename: string; bytes: number; chunks: number; mb: number; elapsedTime: number; mbps: number; }
export interface DownloadOptions extends CallOptions { collectionname?: string; id: string; filename?: string; progress?: (received: number) => void }
export interface DownloadResult { id: string; filename: string; mimetype: string; data: Uint8Array; }

/** The data API (left out of the messaging-only build). Positional methods take a trailing `CallOptions`. */
export interface Client {
  /** Documents of a collection matching `query` (`projection`, `orderby`, `skip`, `top` = 100). */
  query<T = Document>(options: QueryOptions): Promise<T[]>;
  /** The first document matching `query`, or null (a `query` with `top` 1). */
  get_one<T = Document>(options: QueryOptions): Promise<T | null>;
  /** A document as it was at `version`. */
  get_document_version<T = Document>(options: GetDocumentVersionOptions): Promise<T>;
  /** The number of documents matching `query`. */
  count(options: CountOptions): Promise<number>;
  /** The distinct values of `field` among the documents matching `query`. */
  distinct(options: DistinctOptions): Promise<string[]>;
  /** Runs an aggregation pipeline. */
  aggregate<T = unknown>(options: AggregateOptions): Promise<T[]>;
  /** Inserts `item`; resolves to the stored document (with `_id`). */
  insert_one<T = Document>(options: InsertOneOptions): Promise<T>;
  /** Inserts `items`; resolves to the stored documents (empty with `skipresults`). */
  insert_many<T = Document>(options: InsertManyOptions): Promise<T[]>;
  /** Replaces the document with `item._id`; resolves to the stored document. */
  update_one<T = Document>(options: UpdateOneOptions): Promise<T>;
  /** A MongoDB update (`document` with operators such as `$set`) of the documents matching `query`. */
  update_document(options: UpdateDocumentOptions): Promise<UpdateResult>;
  /** Updates the document whose `uniqeness` fields (comma separated, default `_id`) match `item`, or inserts it. */
  insert_or_update_one<T = Document>(options: InsertOrUpdateOneOptions): Promise<T>;
  /** `insert_or_update_one` for many items. */
  insert_or_update_many<T = Document>(options: InsertOrUpdateManyOptions): Promise<T[]>;
  /** Deletes the document with `id`; resolves to the number deleted. */
  delete_one(options: DeleteOneOptions): Promise<number>;
  /** Deletes the documents matching `query` (or with an id in `ids`); resolves to the number deleted. */
  delete_many(options: DeleteManyOptions): Promise<number>;
  /** The collections. */
  list_collections(includehist?: boolean, options?: CallOptions): Promise<CollectionInfo[]>;
  /** Creates a collection (optionally time series, capped, with collation or expiry). */
  create_collection(options: CreateCollectionOptions): Promise<void>;
  /** Drops a collection. */
  drop_collection(collectionname: string, options?: CallOptions): Promise<void>;
  /** The indexes of a collection. */
  get_indexes<T = unknown>(collectionname: string, options?: CallOptions): Promise<T[]>;
  /** Creates an index (`index` e.g. `{name: 1}`); resolves to the server's result (its name). */
  create_index(options: CreateIndexOptions): Promise<unknown>;
  /** Drops an index by name. */
  drop_index(collectionname: string, indexname: string, options?: CallOptions): Promise<void>;
  /** Adds a work item to queue `wiq` (or `wiqid`); resolves to the stored work item. */
  push_workitem<T = unknown>(options: PushWorkitemOptions): Promise<Workitem<T>>;
  /** Adds several work items (`items`) in one request; resolves to the stored work items. */
  push_workitems<T = unknown>(options: PushWorkitemsOptions): Promise<Workitem<T>[]>;
  /** Takes the next work item of a queue (now `processing`); resolves to `null` when empty. */
  pop_workitem<T = unknown>(options: PopWorkitemOptions): Promise<Workitem<T> | null>;
  /** Updates a work item (state `successful`, `failed`, `retry`, payload, ...); resolves to it. */
  update_workitem<T = unknown>(options: UpdateWorkitemOptions): Promise<Workitem<T>>;
  /** Deletes a work item. */
  delete_workitem(id: string, options?: CallOptions): Promise<void>;
  /** Creates a work item queue; resolves to it. */
  add_workitem_queue(options: AddWorkItemQueueOptions): Promise<WorkItemQueue>;
  /** Updates a work item queue (`purge` also deletes its work items); resolves to it. */
  update_workitem_queue(options: UpdateWorkItemQueueOptions): Promise<WorkItemQueue>;
  /** Deletes a work item queue (`purge`: with its work items). */
  delete_workitem_queue(options: DeleteWorkItemQueueOptions): Promise<void>;
  /** Runs a server custom command; resolves to its result (JSON-parsed when it is JSON). */
  custom_command<T = unknown>(options: CustomCommandOptions): Promise<T>;
  /** Starts a workflow instance; resolves to its id. */
  create_workflow_instance(options: CreateWorkflowInstanceOptions): Promise<string>;
  /** Creates the customer if it does not exist; resolves to `{customer}`. */
  ensure_customer(options: EnsureCustomerOptions): Promise<{ customer: Customer | null }>;
  /** Uploads `data` in 1 MiB chunks, read one at a time as the connection takes them. */
  upload(options: UploadOptions): Promise<UploadResult>;
  /** Downloads a file; `progress` gets the number of bytes received after every chunk. */
  download(options: DownloadOptions): Promise<DownloadResult>;
  /** Starts an agent. */
  start_agent(agentid: string, options?: CallOptions): Promise<void>;
  /** Stops an agent. */
  stop_agent(agentid: string, options?: CallOptions): Promise<void>;
  /** Deletes an agent. */
  delete_agent(agentid: string, options?: CallOptions): Promise<void>;
  /** Deletes one of an agent's pods (it restarts). */
  delete_agent_pod(agentid: string, podname: string, options?: CallOptions): Promise<void>;
  /** The log of an agent's pod. */
  get_agent_pod_logs(agentid: string, podname?: string, options?: CallOptions): Promise<string>;
  /** An agent's pods (`stats`: with resource use). */
  get_agent_pods<T = unknown>(agentid: string, stats?: boolean, options?: CallOptions): Promise<T[]>;
  /** Deletes a package. */
  delete_package(packageid: string, options?: CallOptions): Promise<void>;
  // npm `openiap`'s `*_async` names: the same promise methods.
  query_async: Client["query"];
  get_one_async: Client["get_one"];
  get_document_version_async: Client["get_document_version"];
  count_async: Client["count"];
  distinct_async: Client["distinct"];
  aggregate_async: Client["aggregate"];
  insert_one_async: Client["insert_one"];
  insert_many_async: Client["insert_many"];
  update_one_async: Client["update_one"];
  update_document_async: Client["update_document"];
  insert_or_update_one_async: Client["insert_or_update_one"];
  insert_or_update_many_async: Client["insert_or_update_many"];
  delete_one_async: Client["delete_one"];
  delete_many_async: Client["delete_many"];
  list_collections_async: Client["list_collections"];
  create_collection_async: Client["create_collection"];
  drop_collection_async: Client["drop_collection"];
  get_indexes_async: Client["get_indexes"];
  create_index_async: Client["create_index"];
  drop_index_async: Client["drop_index"];
  push_workitem_async: Client["push_workitem"];
  push_workitems_async: Client["push_workitems"];
  pop_workitem_async: Client["pop_workitem"];
  update_workitem_async: Client["update_workitem"];
  delete_workitem_async: Client["delete_workitem"];
  add_workitem_queue_async: Client["add_workitem_queue"];
  update_workitem_queue_async: Client["update_workitem_queue"];
  delete_workitem_queue_async: Client["delete_workitem_queue"];
  custom_command_async: Client["custom_command"];
  create_workflow_instance_async: Client["create_workflow_instance"];
  ensure_customer_async: Client["ensure_customer"];
  upload_async: Client["upload"];
  download_async: Client["download"];
  start_agent_async: Client["start_agent"];
  stop_agent_async: Client["stop_agent"];
  delete_agent_async: Client["delete_agent"];
  delete_agent_pod_async: Client["delete_agent_pod"];
  get_agent_pod_logs_async: Client["get_agent_pod_logs"];
  get_agent_pods_async: Client["get_agent_pods"];
  delete_package_async: Client["delete_package"];
}
