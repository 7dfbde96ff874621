// The seven LSL channel formats, their sizes on the wire, and the two test-pattern samples every
// feed starts with (protocol doc §6.4). The patterns let an inlet catch a wrong channel count,
// format or byte order before it trusts a single data value.

export type ChannelFormat = 'float32' | 'double64' | 'string' | 'int32' | 'int16' | 'int8' | 'int64';

export const CHANNEL_FORMATS: readonly ChannelFormat[] = ['float32', 'double64', 'string', 'int32', 'int16', 'int8', 'int64'];

/** Sample values: numbers for float and int8/16/32 formats, bigint for int64, text for string. */
export type LslValues = number[] | bigint[] | string[];

export function isChannelFormat(text: string): text is ChannelFormat {
  return (CHANNEL_FORMATS as readonly string[]).includes(text);
}

/** Bytes per value on the wire; null for string, whose values carry their own length. */
export function valueSize(format: ChannelFormat): number | null {
  switch (format) {
    case 'int8': return 1;
    case 'int16': return 2;
    case 'float32': case 'int32': return 4;
    case 'double64': case 'int64': return 8;
    case 'string': return null;
  }
}

/** The pattern liblsl's `sample::assign_test_pattern` builds (offset 4 first, then 2). */
export function testPatternValues(format: ChannelFormat, channelCount: number, offset: number): LslValues {
  const sign = (k: number) => (k % 2 === 0 ? 1 : -1);
  const range = Array.from({ length: channelCount }, (_, k) => k);
  switch (format) {
    case 'float32': return range.map((k) => sign(k) * (k + offset));
    case 'double64': return range.map((k) => sign(k) * (k + offset + 16777217));
    case 'int8': return range.map((k) => sign(k) * ((k + offset + 1) % 127));
    case 'int16': return range.map((k) => sign(k) * ((k + offset + 257) % 32767));
    case 'int32': return range.map((k) => sign(k) * ((k + offset + 65537) % 2147483647));
    case 'int64': return range.map((k) => BigInt(sign(k)) * BigInt(k + offset + 2147483649));
    // Strings ignore the offset: both patterns are equal.
    case 'string': return range.map((k) => String(sign(k) * (k + 10)));
  }
}

export const TEST_PATTERN_TIMESTAMP = 123456.789;
