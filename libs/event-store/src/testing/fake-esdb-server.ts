/**
 * TEST SUPPORT ONLY — not used by the application.
 *
 * A small EventStoreDB stand-in that speaks the server's gRPC protocol as `@eventstore/db-client` 6.2.1 sees it:
 * it is built from the client package's own generated service definitions and messages
 * (`@eventstore/db-client/generated/*_pb.js`), served with `@grpc/grpc-js` on 127.0.0.1, so the real client talks to
 * it over real HTTP/2 connections. That is the point: faults such as a server ending a subscription call, answering
 * UNAVAILABLE while it restarts, or dropping every connection reach the client exactly as a server's would, and
 * what the client turns them into (a finished stream, `UnavailableError`, `CancelledError`, …) is the client's own
 * doing, not a guess of ours.
 *
 * What it serves (only what the EventStoreDB adapter uses):
 * - `Streams.Read`: `$all` read forwards/backwards from start, end or a position (forwards starts AT the position,
 *   backwards before it); stream read forwards/backwards, with `StreamNotFound` for a missing stream; catch-up
 *   subscription to `$all` after a position, filtered by stream-name or event-type prefixes or regex, then live.
 *   Reading or subscribing from a position that is no record boundary is refused the way a server of the chosen
 *   `invalidPosition` style refuses it (see `InvalidPositionStyle`).
 * - `Streams.Append` (client streaming): expected revision any / no_stream / stream_exists / a revision.
 *   No idempotence check: appending the same ids twice writes them twice (the adapter's specs over a real server
 *   cover idempotence).
 * - Nothing else. `ServerFeatures.GetSupportedMethods` answers UNIMPLEMENTED, as servers before 21.10 do, so the
 *   client appends with `Streams.Append`; `esdb://host:port` with one host never calls gossip.
 *
 * Self-contained on purpose (it imports nothing from this repository), so it can move out of the build with the
 * other test helpers.
 */
import grpc from '@grpc/grpc-js';
import type {
  Metadata,
  Server,
  ServiceError,
  ServerReadableStream,
  ServerWritableStream,
  sendUnaryData,
} from '@grpc/grpc-js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { randomUUID } from 'node:crypto';

/** One record of the fake transaction log; commit and prepare positions are equal, as without explicit transactions. */
export interface FakeRecord {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly revision: bigint;
  readonly position: bigint;
}

/** A gRPC status the fake answers with; `exception` becomes the trailer EventStoreDB uses to name its errors. */
export interface FakeStatus {
  readonly code: number;
  readonly details: string;
  readonly exception?: string;
  readonly trailers?: Readonly<Record<string, string>>;
}

/**
 * How a read or subscription from a position that is no record boundary is refused:
 * - `invalid-argument`: INVALID_ARGUMENT "Trying to read from an invalid position." (the server's
 *   `RpcExceptions.InvalidPositionException`, newer servers);
 * - `result-error`: UNKNOWN "Unexpected ReadAllResult: Error" ("Unexpected FilteredReadAllResult: Error" for a
 *   filtered call), as older servers answer (reported for 22.10.4 on a filtered read);
 * - `result-invalid-position`: UNKNOWN "Unexpected ReadAllResult: InvalidPosition" (…FilteredReadAllResult…), as
 *   reported for 24.10.0 on a filtered read.
 */
export type InvalidPositionStyle = 'invalid-argument' | 'result-error' | 'result-invalid-position';

export const STATUS = grpc.status;

/** `created` travels as ticks (100 ns) since the Unix epoch. */
const TICKS_PER_MILLISECOND = 10_000n;
/** A real log starts with the server's own records; positions are byte offsets. */
const FIRST_POSITION = 1_024n;

type Kind = 'read' | 'readAll' | 'subscribe' | 'append';

interface LiveSubscription {
  readonly call: ServerWritableStream<ReadReq, ReadResp>;
  readonly matches: (record: FakeRecord) => boolean;
  /** Events this call may still send before it is cut (Infinity: no cut planned). */
  budget: number;
  cut?: FakeStatus | 'end';
  closed: boolean;
}

/** The fake server. `start()` it, connect with `connectionString`, `stop()` it in `afterAll`. */
export class FakeEsdbServer {
  readonly log: FakeRecord[] = [];
  /** Calls received, by kind, counting the ones refused. */
  readonly calls: Record<Kind, number> = { read: 0, readAll: 0, subscribe: 0, append: 0 };
  /** Calls answered with UNAVAILABLE because the server was `down()`. */
  refused = 0;
  invalidPosition: InvalidPositionStyle = 'invalid-argument';

  private server: Server | undefined;
  private boundPort = 0;
  private unavailable: string | undefined;
  private nextPosition = FIRST_POSITION;
  private readonly live = new Set<LiveSubscription>();
  private readonly plannedCuts: { afterEvents: number; status: FakeStatus | 'end' }[] = [];
  private readonly waiters = new Set<() => void>();

  get port(): number {
    return this.boundPort;
  }

  /** E.g. `esdb://127.0.0.1:40123?tls=false`. */
  get connectionString(): string {
    return `esdb://127.0.0.1:${this.boundPort}?tls=false`;
  }

  /** Live subscription calls. */
  get subscribers(): number {
    return [...this.live].filter((s) => !s.closed).length;
  }

  /** Listens on 127.0.0.1, on a free port the first time and on the same port after a `restart()`. */
  async start(): Promise<void> {
    const server = new grpc.Server();
    server.addService(streamsGrpc.StreamsService, {
      read: (call: ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
      append: (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>) =>
        this.append(call, callback),
    });
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.boundPort}`, grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.server = server;
  }

  /** Drops every connection at once (calls in flight fail on the client side), as a killed process would. */
  async stop(): Promise<void> {
    for (const subscription of this.live) subscription.closed = true;
    this.live.clear();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** A server restart: every connection dropped, then the same port served again, with the same log. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Until `up()`, every call is answered UNAVAILABLE and live subscriptions end with it: a node going down. */
  down(details = 'Server Is Not Ready'): void {
    this.unavailable = details;
    this.endSubscriptions({ code: STATUS.UNAVAILABLE, details });
  }

  up(): void {
    this.unavailable = undefined;
  }

  /**
   * Ends every live subscription call now: with status OK when `status` is omitted (the server closed the call),
   * else with that status. Events already written to a call are delivered first. Returns how many were ended.
   */
  endSubscriptions(status?: FakeStatus): number {
    const live = [...this.live].filter((s) => !s.closed);
    for (const subscription of live) this.close(subscription, status ?? 'end');
    return live.length;
  }

  /** The next subscription call is cut after sending `afterEvents` events: ended OK, or with `status`. */
  cutNextSubscription(afterEvents: number, status?: FakeStatus): void {
    this.plannedCuts.push({ afterEvents, status: status ?? 'end' });
  }

  /** Writes events as another client would (no expected-revision check); live subscriptions receive them. */
  write(streamId: string, events: readonly { id?: string; type: string; data?: unknown; metadata?: unknown }[]): FakeRecord[] {
    const revision = BigInt(this.log.filter((r) => r.streamId === streamId).length);
    const records = events.map((e, i) =>
      this.record({
        streamId,
        id: e.id ?? randomUUID(),
        type: e.type,
        contentType: 'application/json',
        data: Buffer.from(JSON.stringify(e.data ?? {})),
        metadata: e.metadata === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(e.metadata)),
        revision: revision + BigInt(i),
      }),
    );
    this.publish(records);
    return records;
  }

  /** Resolves once `condition` holds, checking whenever a call arrives or ends, or an event is written. */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private changed(): void {
    for (const check of [...this.waiters]) check();
  }

  private count(kind: Kind): void {
    this.calls[kind] += 1;
    this.changed();
  }

  private refuse(): FakeStatus | undefined {
    if (this.unavailable === undefined) return undefined;
    this.refused += 1;
    this.changed();
    return { code: STATUS.UNAVAILABLE, details: this.unavailable };
  }

  private record(fields: Omit<FakeRecord, 'position'>): FakeRecord {
    const record = { ...fields, position: this.nextPosition };
    // Positions are byte offsets in the real log: far apart, so `p + 1` is no record boundary.
    this.nextPosition += 100n + BigInt(record.data.length + record.metadata.length);
    this.log.push(record);
    return record;
  }

  private publish(records: readonly FakeRecord[]): void {
    for (const subscription of this.live) {
      for (const record of records) if (subscription.matches(record)) this.send(subscription, record);
    }
    this.changed();
  }

  // ---- Streams.Read ----

  private read(call: ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions();
    const kind: Kind = options?.hasSubscription() ? 'subscribe' : options?.hasAll() ? 'readAll' : 'read';
    this.count(kind);
    const refusal = this.refuse();
    if (refusal) return fail(call, refusal);
    if (!options) return fail(call, { code: STATUS.INVALID_ARGUMENT, details: 'options are required' });
    if (kind === 'subscribe') {
      if (!options.hasAll()) return fail(call, { code: STATUS.UNIMPLEMENTED, details: 'stream subscriptions are not faked' });
      return this.subscribeToAll(call, options);
    }
    if (kind === 'readAll') return this.readAll(call, options);
    return this.readStream(call, options);
  }

  private readStream(call: ServerWritableStream<ReadReq, ReadResp>, options: ReadReq.Options): void {
    const stream = options.getStream() as ReadReq.Options.StreamOptions;
    const name = Buffer.from(stream.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
    const records = this.log.filter((r) => r.streamId === name);
    if (records.length === 0) {
      const notFound = new streamsPb.ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name)));
      call.write(new streamsPb.ReadResp().setStreamNotFound(notFound));
      call.end();
      return;
    }
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const count = Number(BigInt(options.getCount() || '0'));
    let page: FakeRecord[];
    if (backwards) {
      const last = stream.hasRevision() ? Number(stream.getRevision()) : stream.hasStart() ? 0 : records.length - 1;
      page = records.slice(0, last + 1).reverse();
    } else {
      const first = stream.hasRevision() ? Number(stream.getRevision()) : stream.hasEnd() ? records.length : 0;
      page = records.slice(first);
    }
    for (const record of page.slice(0, count)) call.write(toReadResp(record, false));
    call.end();
  }

  private readAll(call: ServerWritableStream<ReadReq, ReadResp>, options: ReadReq.Options): void {
    const all = options.getAll() as ReadReq.Options.AllOptions;
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const count = Number(BigInt(options.getCount() || '0'));
    let at: number;
    if (all.hasStart()) at = 0;
    else if (all.hasEnd()) at = this.log.length;
    else {
      const found = this.indexOf(all.getPosition());
      if (found < 0) return fail(call, this.invalidPositionStatus(options.hasFilter()));
      at = found;
    }
    // Forwards starts AT the position (inclusive); backwards returns what lies before it.
    const page = backwards ? this.log.slice(0, at).reverse() : this.log.slice(at);
    for (const record of page.slice(0, count)) call.write(toReadResp(record, true));
    call.end();
  }

  private subscribeToAll(call: ServerWritableStream<ReadReq, ReadResp>, options: ReadReq.Options): void {
    const all = options.getAll() as ReadReq.Options.AllOptions;
    let next: number;
    if (all.hasStart()) next = 0;
    else if (all.hasEnd()) next = this.log.length;
    else {
      const found = this.indexOf(all.getPosition());
      if (found < 0) return fail(call, this.invalidPositionStatus(options.hasFilter()));
      next = found + 1; // a catch-up subscription starts after its position
    }
    const plan = this.plannedCuts.shift();
    const subscription: LiveSubscription = {
      call,
      matches: matcher(options.getFilter()),
      budget: plan?.afterEvents ?? Infinity,
      cut: plan?.status,
      closed: false,
    };
    const forget = () => {
      subscription.closed = true;
      this.live.delete(subscription);
      this.changed();
    };
    call.on('cancelled', forget);
    call.on('finish', forget);
    call.on('error', forget);
    call.write(
      new streamsPb.ReadResp().setConfirmation(
        new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()),
      ),
    );
    this.live.add(subscription);
    for (const record of this.log.slice(next)) {
      if (subscription.closed) break;
      if (subscription.matches(record)) this.send(subscription, record);
    }
    if (subscription.budget === 0 && !subscription.closed) this.close(subscription, subscription.cut ?? 'end');
  }

  private send(subscription: LiveSubscription, record: FakeRecord): void {
    if (subscription.closed || subscription.budget <= 0) return;
    subscription.call.write(toReadResp(record, true));
    subscription.budget -= 1;
    if (subscription.budget === 0) this.close(subscription, subscription.cut ?? 'end');
  }

  private close(subscription: LiveSubscription, how: FakeStatus | 'end'): void {
    if (subscription.closed) return;
    subscription.closed = true;
    this.live.delete(subscription);
    if (how === 'end') subscription.call.end();
    else fail(subscription.call, how);
  }

  private indexOf(position: ReadReq.Options.Position | undefined): number {
    if (!position) return -1;
    const commit = BigInt(position.getCommitPosition());
    const prepare = BigInt(position.getPreparePosition());
    return this.log.findIndex((r) => r.position === commit && r.position === prepare);
  }

  private invalidPositionStatus(filtered: boolean): FakeStatus {
    const result = filtered ? 'FilteredReadAllResult' : 'ReadAllResult';
    switch (this.invalidPosition) {
      case 'invalid-argument':
        return { code: STATUS.INVALID_ARGUMENT, details: 'Trying to read from an invalid position.' };
      case 'result-error':
        return { code: STATUS.UNKNOWN, details: `Unexpected ${result}: Error` };
      case 'result-invalid-position':
        return { code: STATUS.UNKNOWN, details: `Unexpected ${result}: InvalidPosition` };
    }
  }

  // ---- Streams.Append ----

  private append(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void {
    this.count('append');
    const refusal = this.refuse();
    let options: AppendReq.Options | undefined;
    const proposed: AppendReq.ProposedMessage[] = [];
    call.on('data', (request: AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      else if (request.hasProposedMessage()) proposed.push(request.getProposedMessage() as AppendReq.ProposedMessage);
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      if (refusal) return callback(toServiceError(refusal));
      if (!options) return callback(toServiceError({ code: STATUS.INVALID_ARGUMENT, details: 'options are required' }));
      callback(null, this.appendEvents(options, proposed));
    });
  }

  private appendEvents(options: AppendReq.Options, proposed: readonly AppendReq.ProposedMessage[]): AppendResp {
    const streamId = Buffer.from(options.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
    const current = BigInt(this.log.filter((r) => r.streamId === streamId).length) - 1n;
    const Expected = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
    const expectation = options.getExpectedStreamRevisionCase();
    const ok =
      expectation === Expected.ANY ||
      (expectation === Expected.NO_STREAM && current < 0n) ||
      (expectation === Expected.STREAM_EXISTS && current >= 0n) ||
      (expectation === Expected.REVISION && BigInt(options.getRevision()) === current);
    if (!ok) {
      const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
      if (current < 0n) wrong.setCurrentNoStream(new sharedPb.Empty());
      else wrong.setCurrentRevision(current.toString());
      if (expectation === Expected.NO_STREAM) wrong.setExpectedNoStream(new sharedPb.Empty());
      else if (expectation === Expected.STREAM_EXISTS) wrong.setExpectedStreamExists(new sharedPb.Empty());
      else if (expectation === Expected.REVISION) wrong.setExpectedRevision(options.getRevision());
      else wrong.setExpectedAny(new sharedPb.Empty());
      return new streamsPb.AppendResp().setWrongExpectedVersion(wrong);
    }
    const records = proposed.map((message, i) => {
      const metadata = message.getMetadataMap();
      return this.record({
        streamId,
        id: message.getId()?.getString() ?? randomUUID(),
        type: metadata.get('type') ?? '<no-event-type-provided>',
        contentType: metadata.get('content-type') ?? 'application/octet-stream',
        data: Uint8Array.from(message.getData_asU8()),
        metadata: Uint8Array.from(message.getCustomMetadata_asU8()),
        revision: current + 1n + BigInt(i),
      });
    });
    this.publish(records);
    const last = records[records.length - 1];
    const success = new streamsPb.AppendResp.Success();
    if (last) {
      success.setCurrentRevision(last.revision.toString());
      success.setPosition(
        new streamsPb.AppendResp.Position()
          .setCommitPosition(last.position.toString())
          .setPreparePosition(last.position.toString()),
      );
    } else {
      success.setNoStream(new sharedPb.Empty());
      success.setNoPosition(new sharedPb.Empty());
    }
    return new streamsPb.AppendResp().setSuccess(success);
  }
}

/** The server's filter: prefixes or a regex, on the stream name or the event type; no filter passes everything. */
function matcher(filter: ReadReq.Options.FilterOptions | undefined): (record: FakeRecord) => boolean {
  if (!filter) return () => true;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return () => true;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  return (record) => {
    const value = onStream ? record.streamId : record.type;
    return prefixes.length > 0 ? prefixes.some((p) => value.startsWith(p)) : regex ? regex.test(value) : true;
  };
}

function toReadResp(record: FakeRecord, withCommitPosition: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(new sharedPb.UUID().setString(record.id))
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(record.streamId)))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.metadata);
  const metadata = recorded.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('content-type', record.contentType);
  // 2025-01-02T03:04:05Z plus one millisecond per position step, in ticks since the Unix epoch.
  metadata.set('created', ((1_735_787_045_000n + record.position / 100n) * TICKS_PER_MILLISECOND).toString());
  const event = new streamsPb.ReadResp.ReadEvent().setEvent(recorded);
  if (withCommitPosition) event.setCommitPosition(record.position.toString());
  else event.setNoPosition(new sharedPb.Empty());
  return new streamsPb.ReadResp().setEvent(event);
}

function toServiceError(status: FakeStatus): Partial<ServiceError> {
  const metadata: Metadata = new grpc.Metadata();
  if (status.exception) metadata.set('exception', status.exception);
  for (const [key, value] of Object.entries(status.trailers ?? {})) metadata.set(key, value);
  return Object.assign(new Error(status.details), { code: status.code, details: status.details, metadata });
}

function fail(call: ServerWritableStream<ReadReq, ReadResp>, status: FakeStatus): void {
  call.emit('error', toServiceError(status));
}
