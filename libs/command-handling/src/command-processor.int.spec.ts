import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { loadConfig, eventStoreFile } from '@app/config';
import { EVENT_STORE, SqliteEventStore, type EventStore, type NewEvent, type ExpectedRevision } from '@app/event-store';
import { RuntimeModule } from '@app/runtime';
import { schemaVersionOf, type Actor, type ProposalCommand } from '@app/proposals';
import { CommandProcessor, type CommandRequest } from './command-processor.js';
import { commandHandlers, ExecuteDirectoryCommand, ExecuteProposalCommand, ExecuteSessionCommand } from './command-handlers.js';
import { chainHash, withoutHash } from './hash-chain.js';
import { proposalStream, sessionStream } from '@app/proposals';

const TENANT = 'jinshan';
const office: Actor = { id: 'o-1', role: 'office' };
const committee: Actor = { id: 'c-1', role: 'committee' };
const member: Actor = { id: 'm-1', role: 'member', name: '张委员' };
const lead: Actor = { id: 'u-1', role: 'unit', unit: 'mzj' };
const clock = () => new Date('2019-03-04T01:00:00Z');
const DIRECTORY = {
  units: [{ code: 'mzj', fullName: '区民政局', shortName: '区民政局', kind: 'government-department' as const, activeFrom: '2000-01-01' }],
  members: [{ id: 'm-1', name: '张委员', sector: '社会福利界', terms: ['6'] }],
};
const settings = { clock, utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 };

const request = <C>(caller: Actor, command: C, extra: Partial<CommandRequest<C>> = {}): CommandRequest<C> => ({
  tenant: TENANT,
  caller,
  command,
  ...extra,
});

describe('the command path through Nest on the embedded store', () => {
  let dir: string;
  let module: TestingModule;
  let bus: CommandBus;
  let store: EventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-int-'));
    const config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: 'x'.repeat(32), SQLITE_SYNCHRONOUS: 'normal' });
    module = await Test.createTestingModule({ imports: [RuntimeModule.forRoot({ config, clock })] }).compile();
    await module.init();
    bus = module.get(CommandBus);
    store = module.get(EVENT_STORE);
    await bus.execute(new ExecuteDirectoryCommand(request(office, { type: 'ImportDirectory', data: DIRECTORY })));
    await bus.execute(new ExecuteSessionCommand('6-3', request(office, { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } })));
  });
  afterEach(async () => {
    await module.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const proposal = (id: string, caller: Actor, command: ProposalCommand, extra: Partial<CommandRequest<ProposalCommand>> = {}) =>
    bus.execute(new ExecuteProposalCommand(id, request(caller, command, extra)));
  const file = (id: string) =>
    proposal(id, member, { type: 'FileProposal', data: { proposalId: id, session: '6-3', title: '养老实项目', body: '……', category: 'livelihood' } });

  it('chains every event of a stream to the one before it', async () => {
    await file('p1');
    await proposal('p1', committee, { type: 'RegisterProposal', data: {} });
    await proposal('p1', office, { type: 'AssignProposal', data: { leadUnit: 'mzj' } });
    const events = await store.readStream(proposalStream(TENANT, 'p1'));
    let previous: string | null = null;
    for (const e of events) {
      const expected = chainHash(previous, { stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: withoutHash(e.metadata) });
      expect(e.metadata.hash).toBe(expected);
      previous = expected;
    }
    // The schema version is in the stored name, once: not again in the metadata.
    expect(events.map((e) => [schemaVersionOf(e.type), 'schemaVersion' in e.metadata])).toEqual([[2, false], [1, false], [1, false]]);
  });

  it('sees appends made by another process on the same file', async () => {
    await file('p1');
    await proposal('p1', committee, { type: 'RegisterProposal', data: {} });
    const other = new SqliteEventStore({ path: eventStoreFile(loadConfig({ DATA_DIR: dir })), synchronous: 'normal' });
    try {
      await commandHandlers(new CommandProcessor(other, settings)).proposals.handle('p1', request(office, { type: 'AssignProposal', data: { leadUnit: 'mzj' } }));
    } finally {
      await other.close();
    }
    const answered = await proposal('p1', lead, { type: 'AnswerProposal', data: { category: 'A', text: '已解决', publish: true } });
    expect(answered.revision).toBe(3);
  });

  it('finishes a registration whose number was reserved before a crash, with the same number, when retried', async () => {
    await file('p1');
    const processor = module.get(CommandProcessor);
    const flaky = new FailOnce(store, proposalStream(TENANT, 'p1'));
    const crashing = new CommandProcessor(flaky, settings);
    const register = request(committee, { type: 'RegisterProposal', data: {} } as ProposalCommand, { idempotencyKey: 'reg-p1' });
    await expect(commandHandlers(crashing).proposals.handle('p1', register)).rejects.toThrow('simulated crash');
    const retried = await commandHandlers(processor).proposals.handle('p1', register);
    expect(retried.revision).toBe(1);
    const session = await store.readStream(sessionStream(TENANT, '6-3'));
    expect(session.filter((e) => e.type === 'session.number-reserved.v1').map((e) => e.data)).toEqual([{ number: '6-3-001', proposalId: 'p1' }]);
    const registered = (await store.readStream(proposalStream(TENANT, 'p1')))[1];
    expect(registered.data).toEqual({ number: '6-3-001' });
  });

  it('links the number reservation to the registration that caused it', async () => {
    await file('p1');
    await proposal('p1', committee, { type: 'RegisterProposal', data: { number: '6-3-100' } }, { correlationId: 'corr-7' });
    const [reservation] = (await store.readStream(sessionStream(TENANT, '6-3'))).slice(-1);
    const [registration] = (await store.readStream(proposalStream(TENANT, 'p1'))).slice(-1);
    expect(reservation.metadata).toMatchObject({ correlationId: 'corr-7', causationId: registration.metadata.commandId, commandType: 'ReserveProposalNumber' });
  });
});

describe('a registration and the session it numbers', () => {
  it('lets the next registration of the session reserve its number while the first one is still writing its own step', async () => {
    const inner = new SqliteEventStore({ path: ':memory:' });
    const gated = new GatedStore(inner, proposalStream(TENANT, 'p1'));
    const handlers = commandHandlers(new CommandProcessor(gated, settings));
    await handlers.directory.handle(request(office, { type: 'ImportDirectory', data: DIRECTORY }));
    await handlers.sessions.handle('6-3', request(office, { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } }));
    for (const id of ['p1', 'p2'])
      await handlers.proposals.handle(id, request(member, { type: 'FileProposal', data: { proposalId: id, session: '6-3', title: '养老实项目', body: '……', category: 'livelihood' } }));
    gated.closeGate();
    const first = handlers.proposals.handle('p1', request(committee, { type: 'RegisterProposal', data: {} }));
    await gated.held;
    // p1's number is reserved and its registration waits to be written: p2's registration needs the session, not p1.
    const second = await handlers.proposals.handle('p2', request(committee, { type: 'RegisterProposal', data: {} }));
    gated.open();
    await first;
    const numbers = (await inner.readStream(sessionStream(TENANT, '6-3'))).filter((e) => e.type === 'session.number-reserved.v1').map((e) => e.data);
    expect(numbers).toEqual([{ number: '6-3-001', proposalId: 'p1' }, { number: '6-3-002', proposalId: 'p2' }]);
    expect(second.revision).toBe(1);
    expect((await inner.readStream(proposalStream(TENANT, 'p1')))[1].data).toEqual({ number: '6-3-001' });
    await inner.close();
  });
});

describe('registrations of one session at the same time, on a store that queues an append behind another (appendAfter)', () => {
  let inner: SqliteEventStore;
  let gated: GatedSession;
  let here: ReturnType<typeof commandHandlers>;
  /** Another process on the same store. */
  let there: ReturnType<typeof commandHandlers>;
  const session = sessionStream(TENANT, '6-3');
  const register = (id: string) => here.proposals.handle(id, request(committee, { type: 'RegisterProposal', data: {} }));

  beforeEach(async () => {
    inner = new SqliteEventStore({ path: ':memory:' });
    gated = new GatedSession(inner, session);
    here = commandHandlers(new CommandProcessor(gated, settings));
    there = commandHandlers(new CommandProcessor(inner, settings));
    await there.directory.handle(request(office, { type: 'ImportDirectory', data: DIRECTORY }));
    await there.sessions.handle('6-3', request(office, { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } }));
    for (const id of ['p1', 'p2', 'p3'])
      await there.proposals.handle(id, request(member, { type: 'FileProposal', data: { proposalId: id, session: '6-3', title: '养老实项目', body: '……', category: 'livelihood' } }));
  });
  afterEach(() => inner.close());

  /** Each proposal's registered number, and the numbers the session reserved, by proposal. */
  const numbers = async (ids: string[]) => ({
    registered: Object.fromEntries(await Promise.all(ids.map(async (id) => [id, (await inner.readStream(proposalStream(TENANT, id)))[1]?.data]))),
    reserved: Object.fromEntries(
      (await inner.readStream(session)).filter((e) => e.type === 'session.number-reserved.v1').map((e) => [(e.data as { proposalId: string }).proposalId, { number: (e.data as { number: string }).number }]),
    ),
  });
  const expectChained = async (stream: string) => {
    let previous: string | null = null;
    for (const e of await inner.readStream(stream)) {
      const expected = chainHash(previous, { stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: withoutHash(e.metadata) });
      expect(e.metadata.hash).toBe(expected);
      previous = expected;
    }
  };

  it('reserves the next number while the one before is not yet committed, and gives each proposal the number it reserved', async () => {
    gated.closeGate();
    const registrations = ['p1', 'p2', 'p3'].map(register);
    // All three reservations reach the store while the first one waits for its commit.
    await gated.arrivals(3);
    gated.open();
    await Promise.all(registrations);
    const { registered, reserved } = await numbers(['p1', 'p2', 'p3']);
    expect(registered).toEqual({ p1: { number: '6-3-001' }, p2: { number: '6-3-002' }, p3: { number: '6-3-003' } });
    expect(reserved).toEqual(registered);
    await expectChained(session);
  });

  it('refuses a reservation queued behind one that another process beat, and registers both again with numbers of their own', async () => {
    gated.closeGate();
    const registrations = ['p1', 'p2'].map(register);
    await gated.arrivals(2);
    // Another process reserves the number p1 was given, at the revision p1's reservation expects: p1's is refused,
    // and p2's, queued behind it, would otherwise land at the next revision after an event it never saw.
    await there.proposals.handle('p3', request(committee, { type: 'RegisterProposal', data: {} }));
    gated.open();
    await Promise.all(registrations);
    const { registered, reserved } = await numbers(['p1', 'p2', 'p3']);
    expect(registered.p3).toEqual({ number: '6-3-001' });
    expect(new Set(Object.values(registered).map((n) => (n as { number: string }).number)).size).toBe(3);
    expect(reserved).toEqual(registered);
    await expectChained(session);
  });
});

describe('a registration that loses a race on its proposal after its number was reserved', () => {
  const WITH_CO_PROPOSER = { ...DIRECTORY, members: [...DIRECTORY.members, { id: 'm-2', name: '李委员', sector: '经济界', terms: ['6'] }] };
  const coProposer: Actor = { id: 'm-2', role: 'member', name: '李委员' };
  let inner: SqliteEventStore;
  let racing: BeforeAppend;
  /** This process, whose appends to p1 let `racing.hook` run first; and another process on the same store. */
  let here: ReturnType<typeof commandHandlers>;
  let there: ReturnType<typeof commandHandlers>;
  const numbersOf = async () =>
    (await inner.readStream(sessionStream(TENANT, '6-3'))).filter((e) => e.type === 'session.number-reserved.v1').map((e) => e.data);

  beforeEach(async () => {
    inner = new SqliteEventStore({ path: ':memory:' });
    racing = new BeforeAppend(inner, proposalStream(TENANT, 'p1'));
    here = commandHandlers(new CommandProcessor(racing, settings));
    there = commandHandlers(new CommandProcessor(inner, settings));
    await there.directory.handle(request(office, { type: 'ImportDirectory', data: WITH_CO_PROPOSER }));
    await there.sessions.handle('6-3', request(office, { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } }));
    await there.proposals.handle('p1', request(member, { type: 'FileProposal', data: { proposalId: 'p1', session: '6-3', title: '养老实项目', body: '……', category: 'livelihood', coProposers: ['m-2'] } }));
  });
  afterEach(() => inner.close());

  it('is retried with the number it reserved: the session holds exactly one number for the proposal', async () => {
    // Between this registration's reservation and its own step, the co-proposer joins through another process.
    racing.hook = () => there.proposals.handle('p1', request(coProposer, { type: 'ConfirmCoProposal', data: {} }));
    const registered = await here.proposals.handle('p1', request(committee, { type: 'RegisterProposal', data: {} }));
    expect(registered.revision).toBe(2);
    expect(await numbersOf()).toEqual([{ number: '6-3-001', proposalId: 'p1' }]);
    const events = await inner.readStream(proposalStream(TENANT, 'p1'));
    expect(events.map((e) => e.type)).toEqual(['proposal.filed.v2', 'proposal.co-proposer-confirmed.v1', 'proposal.registered.v1']);
    expect(events[2].data).toEqual({ number: '6-3-001' });
  });

  it('refuses a second registration of the proposal with another number, naming the number it holds, and reserves nothing more', async () => {
    let refusal: unknown;
    racing.hook = () =>
      there.proposals.handle('p1', request(committee, { type: 'RegisterProposal', data: { number: '6-3-100' } })).catch((error: unknown) => void (refusal = error));
    await here.proposals.handle('p1', request(committee, { type: 'RegisterProposal', data: {} }));
    expect(refusal).toMatchObject({ kind: 'illegal-transition', field: 'number', message: 'proposal p1 already holds number 6-3-001 of this session; register it with that number or none' });
    expect(await numbersOf()).toEqual([{ number: '6-3-001', proposalId: 'p1' }]);
    expect((await inner.readStream(proposalStream(TENANT, 'p1'))).map((e) => e.data)).toEqual([expect.anything(), { number: '6-3-001' }]);
  });
});

/** An event store that runs `hook` (once) before the next append to one stream: another writer gets there first. */
class BeforeAppend implements EventStore {
  hook: (() => Promise<unknown>) | undefined;
  constructor(
    private readonly inner: EventStore,
    private readonly stream: string,
  ) {}
  async append(stream: string, events: readonly NewEvent[], expected?: ExpectedRevision) {
    const hook = this.hook;
    if (stream === this.stream && hook) {
      this.hook = undefined;
      await hook();
    }
    return this.inner.append(stream, events, expected);
  }
  readStream: EventStore['readStream'] = (s, o) => this.inner.readStream(s, o);
  readAll: EventStore['readAll'] = (o) => this.inner.readAll(o);
  subscribeToAll: EventStore['subscribeToAll'] = (o) => this.inner.subscribeToAll(o);
  headPosition = () => this.inner.headPosition();
  close = () => Promise.resolve();
}

/** An event store that holds appends to one stream, once its gate is closed, until it is opened again. */
class GatedStore implements EventStore {
  private gate: Promise<void> | undefined;
  private openGate = () => {};
  private arrived = () => {};
  /** Resolves when an append to the stream has arrived at the closed gate. */
  held = new Promise<void>((resolve) => (this.arrived = resolve));
  constructor(
    private readonly inner: EventStore,
    private readonly stream: string,
  ) {}
  closeGate(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }
  open(): void {
    this.openGate();
  }
  async append(stream: string, events: readonly NewEvent[], expected?: ExpectedRevision) {
    if (stream === this.stream && this.gate) {
      this.arrived();
      await this.gate;
    }
    return this.inner.append(stream, events, expected);
  }
  readStream: EventStore['readStream'] = (s, o) => this.inner.readStream(s, o);
  readAll: EventStore['readAll'] = (o) => this.inner.readAll(o);
  subscribeToAll: EventStore['subscribeToAll'] = (o) => this.inner.subscribeToAll(o);
  headPosition = () => this.inner.headPosition();
  close = () => Promise.resolve();
}

/** An event store whose first append to one stream fails after the rest of the command's appends went through. */
class FailOnce implements EventStore {
  private failed = false;
  constructor(
    private readonly inner: EventStore,
    private readonly stream: string,
  ) {}
  append(stream: string, events: readonly NewEvent[], expected?: ExpectedRevision) {
    if (stream === this.stream && !this.failed) {
      this.failed = true;
      return Promise.reject(new Error('simulated crash'));
    }
    return this.inner.append(stream, events, expected);
  }
  readStream: EventStore['readStream'] = (s, o) => this.inner.readStream(s, o);
  readAll: EventStore['readAll'] = (o) => this.inner.readAll(o);
  subscribeToAll: EventStore['subscribeToAll'] = (o) => this.inner.subscribeToAll(o);
  headPosition = () => this.inner.headPosition();
  close = () => Promise.resolve();
}

/** The embedded store, holding appends to one stream while its gate is closed; it queues one append behind another. */
class GatedSession implements EventStore {
  private gate: Promise<void> | undefined;
  private openGate = () => {};
  private arrived = 0;
  private waiters: (() => void)[] = [];
  constructor(
    private readonly inner: SqliteEventStore,
    private readonly stream: string,
  ) {}
  closeGate(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }
  open(): void {
    this.gate = undefined;
    this.openGate();
  }
  /** Resolves once `count` appends to the stream have arrived at the gate. */
  arrivals(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.arrived >= count ? resolve() : this.waiters.push(check));
      check();
    });
  }
  private async held(): Promise<void> {
    const gate = this.gate;
    this.arrived += 1;
    for (const wake of this.waiters.splice(0)) wake();
    await gate;
  }
  async append(stream: string, events: readonly NewEvent[], expected?: ExpectedRevision) {
    if (stream === this.stream && this.gate) await this.held();
    return this.inner.append(stream, events, expected);
  }
  async appendAfter(stream: string, events: readonly NewEvent[], expected: number, previousId: string) {
    if (stream === this.stream && this.gate) await this.held();
    return this.inner.appendAfter(stream, events, expected, previousId);
  }
  readStream: EventStore['readStream'] = (s, o) => this.inner.readStream(s, o);
  readAll: EventStore['readAll'] = (o) => this.inner.readAll(o);
  subscribeToAll: EventStore['subscribeToAll'] = (o) => this.inner.subscribeToAll(o);
  headPosition = () => this.inner.headPosition();
  close = () => Promise.resolve();
}
