// The stream info: what an outlet announces about itself (protocol doc §4). One model, printed
// as the short info (UDP replies, TCP shortinfo, 1.00 feed header: `<desc />` empty) or the full
// info (`LSL:fullinfo`: with the user's `<desc>`), in liblsl's exact element order and number
// format, and parsed back with liblsl's validity rules so we reject what liblsl would reject.
import { isChannelFormat, type ChannelFormat } from './channelFormat.ts';
import { formatG } from './numberText.ts';
import { childElement, childText, element, parseXml, printXmlDocument, stringValue, type XmlElement } from './xmlTree.ts';

/** The protocol version we speak; printed as `<version>1.100000000000000</version>`. */
export const PROTOCOL_VERSION = 110;

/** liblsl's `[lab] SessionID` default: every outlet's <session_id> and every resolve's filter. */
export const DEFAULT_SESSION_ID = 'default';

export interface StreamInfo {
  name: string;
  /** Content type (EEG, Markers, …); may be empty. */
  type: string;
  channelCount: number;
  channelFormat: ChannelFormat;
  /** Stable id of the data source; needed for recovery after the outlet restarts. May be empty. */
  sourceId: string;
  /** Samples per second; 0 means irregular rate. */
  nominalSrate: number;
  /** Protocol version × 100 (110). */
  version: number;
  /** Outlet creation time on the outlet's LSL clock. Never 0 (liblsl inlets retry forever on 0). */
  createdAt: number;
  /** Random per outlet instance: a restarted outlet has a new uid but the same sourceId. */
  uid: string;
  sessionId: string;
  hostname: string;
  /** Empty in what outlets send; a resolver fills it from the source address of the reply. */
  v4address: string;
  v4dataPort: number;
  v4servicePort: number;
  v6address: string;
  v6dataPort: number;
  v6servicePort: number;
  /** The `<desc>` element; no children in a short info. */
  desc: XmlElement;
}

export class InvalidStreamInfoError extends Error {}

// ---------------------------------------------------------------------------------------------
// Building

/** The `<info>` element. With `withDesc` false it is the short info (empty `<desc />`). */
export function streamInfoElement(info: StreamInfo, withDesc = true): XmlElement {
  const field = (name: string, value: string) => element(name, value);
  const desc = withDesc ? info.desc : element('desc');
  return element('info', null, [
    field('name', info.name),
    field('type', info.type),
    field('channel_count', String(info.channelCount)),
    field('channel_format', info.channelFormat),
    field('source_id', info.sourceId),
    field('nominal_srate', formatG(info.nominalSrate, 16, true)),
    field('version', formatG(info.version / 100, 16, true)),
    field('created_at', formatG(info.createdAt, 16, true)),
    field('uid', info.uid),
    field('session_id', info.sessionId),
    field('hostname', info.hostname),
    field('v4address', info.v4address),
    field('v4data_port', String(info.v4dataPort)),
    field('v4service_port', String(info.v4servicePort)),
    field('v6address', info.v6address),
    field('v6data_port', String(info.v6dataPort)),
    field('v6service_port', String(info.v6servicePort)),
    desc,
  ]);
}

export function shortInfoXml(info: StreamInfo): string {
  return printXmlDocument(streamInfoElement(info, false));
}

export function fullInfoXml(info: StreamInfo): string {
  return printXmlDocument(streamInfoElement(info, true));
}

/**
 * The XDF meta-data convention for channels (github.com/sccn/xdf/wiki/EEG-Meta-Data), which
 * LabRecorder, viewers and our own inlet read: `desc/channels/channel/{label,unit,type}`.
 */
export function channelsDesc(labels: string[], unit: string, type: string, manufacturer?: string): XmlElement {
  const channels = labels.map((label) =>
    element('channel', null, [element('label', label), element('unit', unit), element('type', type)]),
  );
  const children = manufacturer ? [element('manufacturer', manufacturer)] : [];
  if (channels.length > 0) children.push(element('channels', null, channels));
  return element('desc', null, children);
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses a short or full info. Throws InvalidStreamInfoError where liblsl's `read_xml` fails. */
export function parseStreamInfo(xml: string): StreamInfo {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new InvalidStreamInfoError(`stream info is not XML: ${(err as Error).message}`);
  }
  return streamInfoFromElement(root);
}

export function streamInfoFromElement(root: XmlElement): StreamInfo {
  if (root.name !== 'info') throw new InvalidStreamInfoError(`root element is <${root.name}>, not <info>`);
  const text = (name: string) => childText(root, name) ?? '';
  // liblsl runs these through an integer parse: a missing element or non-numeric text
  // invalidates the whole info (a missing v6data_port is enough).
  const integer = (name: string) => {
    const m = /^\s*[-+]?\d+/.exec(childText(root, name) ?? '');
    if (!m) throw new InvalidStreamInfoError(`<${name}> is missing or not a number`);
    return Number(m[0]);
  };
  const decimal = (name: string) => {
    const value = Number.parseFloat(text(name));
    return Number.isFinite(value) ? value : 0;
  };
  const name = text('name');
  if (!name) throw new InvalidStreamInfoError('stream info has an empty <name>');
  const channelFormat = text('channel_format');
  if (!isChannelFormat(channelFormat)) throw new InvalidStreamInfoError(`unknown channel format "${channelFormat}"`);
  const channelCount = integer('channel_count');
  integer('nominal_srate');
  const version = Math.round(decimal('version') * 100);
  if (!(version > 0)) throw new InvalidStreamInfoError('stream info has no positive <version>');
  const uid = text('uid');
  if (!uid) throw new InvalidStreamInfoError('stream info has an empty <uid>');
  return {
    name,
    type: text('type'),
    channelCount,
    channelFormat,
    sourceId: text('source_id'),
    nominalSrate: decimal('nominal_srate'),
    version,
    createdAt: decimal('created_at'),
    uid,
    sessionId: text('session_id'),
    hostname: text('hostname'),
    v4address: text('v4address'),
    v4dataPort: integer('v4data_port'),
    v4servicePort: integer('v4service_port'),
    v6address: text('v6address'),
    v6dataPort: integer('v6data_port'),
    v6servicePort: integer('v6service_port'),
    desc: childElement(root, 'desc') ?? element('desc'),
  };
}

export interface ChannelDescription {
  label: string;
  unit: string;
  type: string;
}

/** `desc/channels/channel` entries in channel order; empty when the outlet describes none. */
export function describedChannels(info: StreamInfo): ChannelDescription[] {
  const channels = childElement(info.desc, 'channels');
  if (!channels) return [];
  return channels.children
    .filter((c) => c.name === 'channel')
    .map((c) => ({
      label: stringValue(childElement(c, 'label') ?? element('label', '')).trim(),
      unit: stringValue(childElement(c, 'unit') ?? element('unit', '')).trim(),
      type: stringValue(childElement(c, 'type') ?? element('type', '')).trim(),
    }));
}
