// Which advertised names belong to EEG / neurofeedback headsets, so a scan lists headsets and not
// every phone and watch in the room. The families are those the reference daemon's scanner
// recognises (neuroskill-notes §2.3); matching is case-insensitive.

/** Names that start with one of these. */
const PREFIXES = [
  'muse', // Muse 2016, Muse 2, Muse S (classic and Athena)
  'ganglion', 'simblee', 'openbci', 'cyton', // OpenBCI
  'hermes',
  'emotiv', 'epoc', 'insight', 'mn8', // Emotiv
  'idun', 'ige', 'guardian', // IDUN Guardian
  'mendi',
  'quick-', 'aim-', 'patch', // Cognionics / CGX
  'awear', 'luca',
  'atu', 'attentivu',
  'un-', // g.tec Unicorn
];

/** Names that contain one of these anywhere. */
const FRAGMENTS = [
  'mw75', 'neurable', 'cognionics', 'cgx', 'brainbit', 'unicorn', 'neurofield', 'neurosky', 'mindwave',
  'neurosity', 'crown', 'notion',
];

export function isKnownEegName(name: string): boolean {
  const n = name.trim().toLowerCase();
  if (n === '') return false;
  return PREFIXES.some((p) => n.startsWith(p)) || FRAGMENTS.some((f) => n.includes(f));
}
