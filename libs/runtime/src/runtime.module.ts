import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { APP_CONFIG, eventStoreFile, loadConfig, type AppConfig } from '@app/config';
import { EVENT_STORE, EventStoreDbEventStore, SqliteEventStore, type EventStore } from '@app/event-store';
import {
  CommandProcessor,
  ProposalCommandHandler,
  SessionCommandHandler,
  DirectoryCommandHandler,
  ProposalTrail,
  type CommandObserver,
} from '@app/command-handling';
import { resolveAuthSecret } from '@app/identity';
import { AUTH_SECRET, CLOCK, type Clock } from './tokens.js';
import { allProjections, openReadStore, PROJECTIONS, ReadModels } from './read-side.js';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { ProposalsQuery } from '@app/projections';
import { REPORTING_FIELD_INDEXES } from '@app/reporting';
import { AUTOMATION_EXPORTS, automationProviders } from './automation.js';

export interface RuntimeOptions {
  /** Defaults to the process environment, validated. */
  readonly config?: AppConfig;
  readonly clock?: Clock;
  /** Told of every command's outcome and append time (the API's metrics). */
  readonly commandObserver?: CommandObserver;
}

export function openEventStore(config: AppConfig): EventStore {
  switch (config.eventStore) {
    case 'sqlite':
      // The reporting job's indexes: the first start of a build that adds one builds it, saying so on stderr (not
      // stdout, where the CLI writes its tables and CSV) with the time it took.
      return new SqliteEventStore({
        path: eventStoreFile(config),
        synchronous: config.sqliteSynchronous,
        writerThread: config.sqliteWriterThread,
        fieldIndexes: REPORTING_FIELD_INDEXES,
      });
    case 'eventstoredb':
      // loadConfig guarantees the URL whenever EVENT_STORE=eventstoredb.
      return EventStoreDbEventStore.connect(config.eventStoreUrl as string);
  }
}

class StoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/**
 * All wiring in one place: configuration, clock, the stores chosen by configuration, the write side's command
 * path, and the read models with their projections. Every app (api, cli, projector) imports this once.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(options: RuntimeOptions = {}): DynamicModule {
    const config = options.config ?? loadConfig();
    return {
      module: RuntimeModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? (() => new Date()) },
        { provide: AUTH_SECRET, useFactory: () => resolveAuthSecret(config) },
        { provide: EVENT_STORE, useFactory: () => openEventStore(config) },
        {
          provide: CommandProcessor,
          inject: [EVENT_STORE, CLOCK],
          useFactory: (store: EventStore, clock: Clock) =>
            new CommandProcessor(store, {
              clock,
              utcOffsetMinutes: config.utcOffsetMinutes,
              defaultAnswerLimitDays: config.defaultAnswerLimitDays,
              clerkMayRecordFor: config.clerkMayRecordFor,
              observer: options.commandObserver,
            }),
        },
        {
          provide: ProposalTrail,
          inject: [CommandProcessor, EVENT_STORE],
          useFactory: (processor: CommandProcessor, store: EventStore) => new ProposalTrail(processor, store),
        },
        { provide: READ_STORE, useFactory: () => openReadStore(config) },
        { provide: PROJECTIONS, useFactory: () => allProjections(config) },
        ReadModels,
        {
          provide: ProposalsQuery,
          inject: [READ_STORE, CLOCK],
          useFactory: (readStore: ReadStore, clock: Clock) => new ProposalsQuery(readStore, config.utcOffsetMinutes, clock),
        },
        ProposalCommandHandler,
        SessionCommandHandler,
        DirectoryCommandHandler,
        ...automationProviders(config),
        StoreCloser,
      ],
      exports: [APP_CONFIG, CLOCK, AUTH_SECRET, EVENT_STORE, READ_STORE, PROJECTIONS, ReadModels, ProposalsQuery, CommandProcessor, ProposalTrail, ...AUTOMATION_EXPORTS],
    };
  }
}
