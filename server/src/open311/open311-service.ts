import {
  checkAttributeAnswers,
  formatW3cDateTime,
  normalizeLineBreaks,
  open311DefinitionOf,
  open311LocaleOf,
  open311RequestOf,
  open311ServiceNotice,
  open311ServiceOf,
  open311StatusOf,
  open311UpdateText,
  open311Window,
  OPEN311_RESULT_LIMIT,
  parseOpen311StatusFilter,
  parseW3cDateTime,
  ticketStatusesOf,
  MAX_DESCRIPTION_LENGTH,
  type CreateTicketInput,
  type Open311CreatedRequest,
  type Open311Locale,
  type Open311RequestUpdate,
  type Open311Service as Open311ServiceEntry,
  type Open311ServiceDefinition,
  type Open311ServiceRequest,
  type Open311Token,
  type TicketSummary,
} from '@gridline/core';
import type { CategoryPinyin } from '../categories/pinyin.ts';
import type { CatalogCategory, CategoryCatalog, Clock } from '../tickets/ports.ts';
import type { HttpReply, Open311Filing } from '../tickets/ticket-service.ts';
import { badRequest, forbidden, notFound } from './errors.ts';
import type { Open311Parameters } from './parameters.ts';
import type { Open311RequestRepository } from './request-repository.ts';

/** The intake Open311 files through: the ticket service's, as POST /api/tickets uses. */
export interface Open311Intake {
  createFromOpen311(
    filing: Open311Filing,
    context: { idempotencyKey?: string; requestId?: string },
  ): Promise<HttpReply>;
}

export interface Open311KeyCheck {
  /** The id of the live key, or null. */
  verify(key: string): Promise<number | null>;
  used(id: number): Promise<void>;
}

export interface Open311ServiceDeps {
  catalog: CategoryCatalog;
  pinyin: CategoryPinyin;
  intake: Open311Intake;
  requests: Open311RequestRepository;
  apiKeys: Open311KeyCheck;
  /** The one jurisdiction this endpoint serves (OPEN311_JURISDICTION). */
  jurisdiction: string;
  clock: Clock;
}

const COORDINATE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_MEDIA_URL_LENGTH = 1000;
const MAX_ADDRESS_LENGTH = 300;
const MAX_NAME_LENGTH = 100;
const CJK = /^[\p{Script=Han}·]+$/u;

function coordinate(params: Open311Parameters, name: 'lat' | 'long', limit: number): number {
  const raw = params.single(name)!;
  const value = Number(raw);
  if (!COORDINATE.test(raw) || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw badRequest(`${name} must be a decimal number between -${limit} and ${limit}`);
  }
  return value;
}

function dateParameter(params: Open311Parameters, name: string): Date | null {
  const raw = params.single(name);
  if (raw === undefined) return null;
  const date = parseW3cDateTime(raw);
  if (date === null) {
    throw badRequest(`${name} must be a W3C date-time such as 2026-11-22T08:00:00+08:00`);
  }
  return date;
}

/** Family name first for Chinese names (王 + 芳 = 王芳), given name first otherwise. */
function reporterName(first: string | undefined, last: string | undefined): string | undefined {
  const parts = [first, last].filter((part): part is string => part !== undefined);
  if (parts.length === 0) return undefined;
  const name =
    first !== undefined && last !== undefined && CJK.test(first) && CJK.test(last)
      ? `${last}${first}`
      : parts.join(' ');
  if (name.length > MAX_NAME_LENGTH) {
    throw badRequest(
      `first_name and last_name together may be at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  return name;
}

function mediaUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('media_url must be an http or https URL');
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    raw.length > MAX_MEDIA_URL_LENGTH
  ) {
    throw badRequest(
      `media_url must be an http or https URL of at most ${MAX_MEDIA_URL_LENGTH} characters`,
    );
  }
  return raw;
}

/**
 * The six GeoReport v2 calls and the servicerequestupdates extension, on the
 * category catalogue, the ticket intake and the public side of the timeline.
 * Every call takes its parameters already read (see parameters.ts) and throws
 * Open311Error for what it refuses.
 */
export class Open311Service {
  constructor(private readonly deps: Open311ServiceDeps) {}

  /** GET services: every active category. */
  async services(params: Open311Parameters): Promise<Open311ServiceEntry[]> {
    const locale = this.checkJurisdiction(params);
    const entries = await this.deps.catalog.entries();
    return Promise.all(
      entries.map(async (category) =>
        open311ServiceOf(
          { ...category, ...(await this.deps.pinyin.of(category.names.zh)) },
          locale,
        ),
      ),
    );
  }

  /** GET services/{service_code}: the category's attributes. */
  async definition(
    serviceCode: string,
    params: Open311Parameters,
  ): Promise<Open311ServiceDefinition> {
    const locale = this.checkJurisdiction(params);
    const category = await this.category(serviceCode);
    if (!category) throw notFound(`No service with service_code ${serviceCode}`);
    return open311DefinitionOf(category, locale);
  }

  /** POST requests: a ticket through the same intake as POST /api/tickets, channel OPEN311. */
  async createRequest(
    params: Open311Parameters,
    context: { idempotencyKey?: string; requestId?: string },
  ): Promise<{ status: number; created: Open311CreatedRequest[] }> {
    const locale = this.checkJurisdiction(params);
    const apiKey = params.single('api_key');
    if (apiKey === undefined) throw forbidden('api_key is required to file a service request');
    const apiKeyId = await this.deps.apiKeys.verify(apiKey);
    if (apiKeyId === null) throw forbidden('api_key is not valid or has been revoked');

    const serviceCode = params.single('service_code');
    if (serviceCode === undefined) throw badRequest('service_code is required');
    const category = await this.category(serviceCode);
    if (!category) throw badRequest(`service_code ${serviceCode} names no service`);

    if (!params.has('lat') || !params.has('long')) {
      if (params.has('address_string') || params.has('address_id')) {
        throw badRequest(
          'lat and long are required: this endpoint cannot locate an address_string or address_id',
        );
      }
      throw badRequest('lat and long are required');
    }
    const location = { lat: coordinate(params, 'lat', 90), lng: coordinate(params, 'long', 180) };

    const given = params.text('description');
    const description =
      given === undefined ? category.names.zh : normalizeLineBreaks(given) || category.names.zh;
    if (description.length > MAX_DESCRIPTION_LENGTH) {
      throw badRequest(`description may be at most ${MAX_DESCRIPTION_LENGTH} characters`);
    }
    const address = params.single('address_string');
    if (address !== undefined && address.length > MAX_ADDRESS_LENGTH) {
      throw badRequest(`address_string may be at most ${MAX_ADDRESS_LENGTH} characters`);
    }
    const name = reporterName(params.single('first_name'), params.single('last_name'));
    const phone = params
      .single('phone')
      ?.replace(/[().（）]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();

    const answers = checkAttributeAnswers(category.attributes, params.attributes());
    if (!answers.ok) throw badRequest(answers.problems.join('; '));

    const ticket: CreateTicketInput = {
      categoryCode: category.code,
      description,
      location,
      ...(address === undefined ? {} : { address }),
      ...(name === undefined && !phone
        ? {}
        : { reporter: { ...(name === undefined ? {} : { name }), ...(phone ? { phone } : {}) } }),
    };
    const reply = await this.deps.intake.createFromOpen311(
      {
        ticket,
        attributes: answers.answers,
        mediaUrl: mediaUrl(params.single('media_url')),
        apiKeyId,
      },
      context,
    );
    const filed = (reply.body as { ticket: TicketSummary }).ticket;
    await this.deps.apiKeys.used(apiKeyId);
    const notice = open311ServiceNotice(category.policy[filed.priority], locale);
    return {
      status: reply.status,
      created: [
        {
          service_request_id: filed.code,
          service_notice:
            locale === 'zh'
              ? `已受理，工单号 ${filed.code}；${notice}`
              : `Received as ${filed.code}. ${notice}`,
          account_id: null,
        },
      ],
    };
  }

  /** GET requests: by id (the other filters then ignored), or filed within a window. */
  async requests(params: Open311Parameters): Promise<Open311ServiceRequest[]> {
    const locale = this.checkJurisdiction(params);
    const ids = params.list('service_request_id');
    if (ids.length > 0) {
      if (ids.length > OPEN311_RESULT_LIMIT) {
        throw badRequest(`service_request_id may name at most ${OPEN311_RESULT_LIMIT} requests`);
      }
      const bad = ids.find((id) => !REQUEST_ID.test(id));
      if (bad !== undefined) throw badRequest(`${bad} is not a service_request_id`);
      return this.findByCodes(ids, locale);
    }
    const window = this.window(params);
    const status = parseOpen311StatusFilter(params.single('status'));
    if (!status.ok) throw badRequest(status.message);
    const tickets = await this.deps.requests.findTickets({
      kind: 'window',
      start: window.start,
      end: window.end,
      categoryCodes: params.list('service_code').map((code) => code.toUpperCase()),
      statuses: ticketStatusesOf(status.statuses),
      limit: OPEN311_RESULT_LIMIT,
    });
    return tickets.map((ticket) => open311RequestOf(ticket, locale));
  }

  /** GET requests/{service_request_id}: a list of one. */
  async request(id: string, params: Open311Parameters): Promise<Open311ServiceRequest[]> {
    const locale = this.checkJurisdiction(params);
    const found = REQUEST_ID.test(id) ? await this.findByCodes([id], locale) : [];
    if (found.length === 0) throw notFound(`No service request ${id}`);
    return found;
  }

  /**
   * GET tokens/{token}. Requests are filed at once, so POST answers with the
   * service_request_id itself and a token is that id: the call confirms it.
   */
  async token(token: string, params: Open311Parameters): Promise<Open311Token[]> {
    this.checkJurisdiction(params);
    const code = token.toUpperCase();
    if (!REQUEST_ID.test(token) || !(await this.deps.requests.exists(code))) {
      throw notFound(`No service request for the token ${token}`);
    }
    return [{ service_request_id: code, token }];
  }

  /** GET servicerequestupdates (mySociety's extension): the public updates within a window. */
  async updates(params: Open311Parameters): Promise<Open311RequestUpdate[]> {
    const locale = this.checkJurisdiction(params);
    const window = this.window(params);
    const id = params.single('service_request_id');
    if (id !== undefined && !REQUEST_ID.test(id)) {
      throw badRequest(`${id} is not a service_request_id`);
    }
    const rows = await this.deps.requests.findUpdates({
      start: window.start,
      end: window.end,
      ticketCode: id === undefined ? null : id.toUpperCase(),
      limit: OPEN311_RESULT_LIMIT,
    });
    return rows.map((row) => ({
      update_id: String(row.eventId),
      service_request_id: row.ticketCode,
      status: open311StatusOf(row.event.toStatus ?? row.ticketStatus),
      updated_datetime: formatW3cDateTime(row.at),
      description: open311UpdateText(row.event, locale) ?? '',
      media_url: row.mediaUrl,
    }));
  }

  /** The locale asked for; 404 for a jurisdiction_id other than ours (any case). */
  private checkJurisdiction(params: Open311Parameters): Open311Locale {
    const jurisdiction = params.single('jurisdiction_id');
    if (
      jurisdiction !== undefined &&
      jurisdiction.toLowerCase() !== this.deps.jurisdiction.toLowerCase()
    ) {
      throw notFound(
        `Unknown jurisdiction_id ${jurisdiction}; this endpoint serves ${this.deps.jurisdiction}`,
      );
    }
    return open311LocaleOf(params.single('locale'));
  }

  private category(serviceCode: string): Promise<CatalogCategory | null> {
    return this.deps.catalog.byCode(serviceCode.trim().toUpperCase());
  }

  private window(params: Open311Parameters): { start: Date; end: Date } {
    const window = open311Window(
      { start: dateParameter(params, 'start_date'), end: dateParameter(params, 'end_date') },
      this.deps.clock.now(),
    );
    if (!window.ok) throw badRequest(window.message);
    return window;
  }

  private async findByCodes(
    ids: readonly string[],
    locale: Open311Locale,
  ): Promise<Open311ServiceRequest[]> {
    const codes = [...new Set(ids.map((id) => id.toUpperCase()))];
    const tickets = await this.deps.requests.findTickets({ kind: 'codes', codes });
    return tickets.map((ticket) => open311RequestOf(ticket, locale));
  }
}
