// The sync modes and conflict strategies as the API names them, with the words the panel shows.

export const MODES = [
  ['full', 'Full (copy every row)'],
  ['incremental', 'Incremental (changes since the last run)'],
  ['bidirectional', 'Bidirectional (both sides\' changes)'],
  ['verify', 'Verify (compare only)'],
];

export const STRATEGIES = [
  ['latest_wins', 'Latest change wins'],
  ['cloud_wins', 'Cloud wins'],
  ['local_wins', 'Site wins'],
  ['manual', 'Manual (park conflicts for a decision)'],
];

/** The words for `value` in one of the lists above. */
export function optionLabel(options, value) {
  return options.find(([key]) => key === value)?.[1] || value;
}
