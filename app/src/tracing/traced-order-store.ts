import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { AppContract } from '../app-contract';
import type { Order } from '../domain/order';
import type { OrderFilter, PageRequest, SortField, SortKey } from '../domain/order-query';
import { redactLogText } from '../logger';
import type { InsertResult, OrderStore } from '../store/order-store';
import type { SessionRevocations } from '../store/session-revocations';

export interface TracedOrderStoreProps {
  /** `db.name`: the SQL Server database, or the SQLite file's name. @default none */
  readonly databaseName?: string;
  /** `net.peer.name`: the SQL Server host, when known. @default none */
  readonly serverAddress?: string;
}

const TABLE = AppContract.database.table;
const tracer = trace.getTracer('order-app/store');

/**
 * An `OrderStore` whose calls are client spans: `SELECT orders`, `INSERT orders`, with
 * `db.system` (`sqlite` or `mssql`, which Application Insights shows as SQL dependencies),
 * `db.operation`, `db.sql.table` and the store method as `code.function`. No span carries
 * the SQL text or any parameter: the statements are fixed and parameterised, and the values
 * are orders, card numbers included. A failure is recorded by type and redacted message.
 * Used only when tracing is on (SQL Server's driver, tedious, has no instrumentation in the
 * distro, and better-sqlite3 none at all); migrating and closing are not traced.
 */
export class TracedOrderStore implements OrderStore {
  public readonly kind: string;
  public readonly sessionRevocations: SessionRevocations;
  private readonly attributes: Attributes;

  constructor(
    private readonly store: OrderStore,
    props: TracedOrderStoreProps = {},
  ) {
    this.kind = store.kind;
    this.sessionRevocations = store.sessionRevocations;
    this.attributes = {
      'db.system': store.kind,
      'db.sql.table': TABLE,
      ...(props.databaseName ? { 'db.name': props.databaseName } : {}),
      // The exporter names a dependency's target `<net.peer.name>|<db.name>` (older conventions, as for db.*).
      ...(props.serverAddress ? { 'net.peer.name': props.serverAddress } : {}),
    };
  }

  private call<T>(method: string, operation: 'SELECT' | 'INSERT', run: () => Promise<T>): Promise<T> {
    const attributes = { ...this.attributes, 'db.operation': operation, 'code.function': method };
    return tracer.startActiveSpan(`${operation} ${TABLE}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        return await run();
      } catch (err) {
        const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
        span.recordException({ name, message: redactLogText(message) });
        span.setStatus({ code: SpanStatusCode.ERROR, message: redactLogText(message) });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  migrate(): Promise<void> {
    return this.store.migrate();
  }

  insert(order: Order, createdBy?: string): Promise<InsertResult> {
    return this.call('insert', 'INSERT', () => this.store.insert(order, createdBy));
  }

  creatorOf(dateUuid: string, userId: string): Promise<string | null | undefined> {
    return this.call('creatorOf', 'SELECT', () => this.store.creatorOf(dateUuid, userId));
  }

  get(dateUuid: string, userId: string): Promise<Order | undefined> {
    return this.call('get', 'SELECT', () => this.store.get(dateUuid, userId));
  }

  page(request: PageRequest): Promise<Order[]> {
    return this.call('page', 'SELECT', () => this.store.page(request));
  }

  count(filter: OrderFilter, via: SortField): Promise<number> {
    return this.call('count', 'SELECT', () => this.store.count(filter, via));
  }

  total(): Promise<number> {
    return this.call('total', 'SELECT', () => this.store.total());
  }

  rank(field: SortField, key: SortKey): Promise<number> {
    return this.call('rank', 'SELECT', () => this.store.rank(field, key));
  }

  rowAtRank(field: SortField, rank: number): Promise<Order | undefined> {
    return this.call('rowAtRank', 'SELECT', () => this.store.rowAtRank(field, rank));
  }

  changeToken(): Promise<string> {
    return this.call('changeToken', 'SELECT', () => this.store.changeToken());
  }

  ping(): Promise<void> {
    return this.call('ping', 'SELECT', () => this.store.ping());
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
