/** Any JSON value, or a string that is sent as it is (already JSON). */
export type Json = unknown;
/** A stored document: at least its `_id`. */
export interface Document { _id: string; [key: string]: unknown; }
export interface QueryOptions { collectionname: string; query?: Json; projection?: Json; orderby?: Json; skip?: number; top?: number; queryas?: string; explain?: boolean; timeout?: number; }
export interface CountOptions { collectionname: string; query?: Json; queryas?: string; explain?: boolean; timeout?: number; }
export interface DistinctOptions { collectionname: string; field: string; query?: Json; queryas?: string; explain?: boolean; timeout?: number; }
export interface AggregateOptions { collectionname: string; aggregates: Json; queryas?: string; hint?: string; explain?: boolean; timeout?: number; }
export interface InsertOneOptions { collectionname: string; item: Json; w?: number; j?: boolean; timeout?: number; }
export interface InsertManyOptions { collectionname: string; items: Json[]; w?: number; j?: boolean; skipresults?: boolean; timeout?: number; }
export interface UpdateOneOptions { collectionname: string; item: Json; w?: number; j?: boolean; timeout?: number; }
export interface InsertOrUpdateOneOptions { collectionname: string; item: Json; uniqeness?: string; w?: number; j?: boolean; timeout?: number; }
export interface InsertOrUpdateManyOptions { collectionname: string; items: Json[]; uniqeness?: string; w?: number; j?: boolean; skipresults?: boolean; timeout?: number; }
export interface DeleteOneOptions { collectionname: string; id: string; recursive?: boolean; timeout?: number; }
export interface DeleteManyOptions { collectionname: string; query?: Json; ids?: string[]; recursive?: boolean; timeout?: number; }
export interface Collation { locale?: string; caseLevel?: boolean; caseFirst?: string; strength?: number; numericOrdering?: boolean; alternate?: string; maxVariable?: string; backwards?: boolean; }
export interface Timeseries { timeField: string; metaField?: string; granularity?: "seconds" | "minutes" | "hours"; }
export interface CreateCollectionOptions {
  collectionname: string; collation?: Collation; timeseries?: Timeseries;
  expire_after_seconds?: number; change_stream_pre_and_post_images?: boolean; capped?: boolean; max?: number; size?: number; timeout?: number;
}
/** A collection, as `list_collections` gives it. */
export interface CollectionInfo { name: string; type: string; [key: string]: unknown; }
export interface CreateIndexOptions { collectionname: string; index: Json; options?: Json; name?: string; timeout?: number; }
/** A file of a work item: `file` holds its bytes when sending; replies carry `id` (download it with `download`). */
export interface WorkitemFile { filename: string; id?: string; compressed?: boolean; file?: Uint8Array | ArrayBuffer | string; }
/** A work item; `T` is the type of its `payload`. */
export interface Workitem<T = unknown> {
  id: string; name: string; payload: T; priority: number; nextrun?: Date; lastrun?: Date; files: WorkitemFile[];
  state: "new" | "processing" | "successful" | "failed" | "retry" | (string & {}); wiq: string; wiqid: string; retries: number; username: string;
  success_wiqid: string; failed_wiqid: string; success_wiq: string; failed_wiq: string; errormessage: string; errorsource: string; errortype: string;
}
export interface PushWorkitemOptions {
  wiq?: string; wiqid?: string; name: string; payload?: Json; nextrun?: Date | number; priority?: number; files?: WorkitemFile[];
  success_wiqid?: string; failed_wiqid?: string; success_wiq?: string; failed_wiq?: string; timeout?: number;
}
export interface PopWorkitemOptions { wiq?: string; wiqid?: string; timeout?: number; }
export interface UpdateWorkitemOptions { workitem: Partial<Workitem> & ({ id: string } | { _id: string }); ignoremaxretries?: boolean; files?: WorkitemFile[]; timeout?: number; }
export interface CustomCommandOptions { command: string; id?: string; name?: string; data?: Json; timeout?: number; }
export interface UploadOptions {
  filename: string; mimetype?: string; metadata?: Json; collectionname?: string;
  /** Read a 1 MiB chunk at a time while the upload runs: leave it unchanged until the promise settles. */
  data: Blob | Uint8Array | ArrayBuffer | ArrayBufferView | string;
  /** Called as each 1 MiB chunk goes to the connection: bytes so far, total. A throw is reported as an `Error` event. */
  progress?: (sent: number, total: number) => void;
  timeout?: number;
}
export interface UploadResult { id: string; filename: string; bytes: number; chunks: number; mb: number; elapsedTime: number; mbps: number; }
export interface DownloadOptions { collectionname?: string; id: string; filename?: string; progress?: (received: number) => void; timeout?: number; }
export interface DownloadResult { id: string; filename: string; mimetype: string; data: Uint8Array; }

/** The data API (left out of the messaging-only build). */
export interface Client {
  /** Documents of a collection matching `query` (`projection`, `orderby`, `skip`, `top` = 100). */
  query<T = Document>(options: QueryOptions): Promise<T[]>;
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
  /** Updates the document whose `uniqeness` fields (comma separated, default `_id`) match `item`, or inserts it. */
  insert_or_update_one<T = Document>(options: InsertOrUpdateOneOptions): Promise<T>;
  /** `insert_or_update_one` for many items. */
  insert_or_update_many<T = Document>(options: InsertOrUpdateManyOptions): Promise<T[]>;
  /** Deletes the document with `id`; resolves to the number deleted. */
  delete_one(options: DeleteOneOptions): Promise<number>;
  /** Deletes the documents matching `query` (or with an id in `ids`); resolves to the number deleted. */
  delete_many(options: DeleteManyOptions): Promise<number>;
  /** The collections. */
  list_collections(includehist?: boolean): Promise<CollectionInfo[]>;
  /** Creates a collection (optionally time series, capped, with collation or expiry). */
  create_collection(options: CreateCollectionOptions): Promise<void>;
  /** Drops a collection. */
  drop_collection(collectionname: string): Promise<void>;
  /** The indexes of a collection. */
  get_indexes<T = unknown>(collectionname: string): Promise<T[]>;
  /** Creates an index (`index` e.g. `{name: 1}`); resolves to the server's result (its name). */
  create_index(options: CreateIndexOptions): Promise<unknown>;
  /** Drops an index by name. */
  drop_index(collectionname: string, indexname: string): Promise<void>;
  /** Adds a work item to queue `wiq` (or `wiqid`); resolves to the stored work item. */
  push_workitem<T = unknown>(options: PushWorkitemOptions): Promise<Workitem<T>>;
  /** Takes the next work item of a queue (now `processing`); resolves to `null` when empty. */
  pop_workitem<T = unknown>(options: PopWorkitemOptions): Promise<Workitem<T> | null>;
  /** Updates a work item (state `successful`, `failed`, `retry`, payload, ...); resolves to it. */
  update_workitem<T = unknown>(options: UpdateWorkitemOptions): Promise<Workitem<T>>;
  /** Deletes a work item. */
  delete_workitem(id: string): Promise<void>;
  /** Runs a server custom command; resolves to its result (JSON-parsed when it is JSON). */
  custom_command<T = unknown>(options: CustomCommandOptions): Promise<T>;
  /** Uploads `data` in 1 MiB chunks, read one at a time as the connection takes them. */
  upload(options: UploadOptions): Promise<UploadResult>;
  /** Downloads a file; `progress` gets the number of bytes received after every chunk. */
  download(options: DownloadOptions): Promise<DownloadResult>;
}
