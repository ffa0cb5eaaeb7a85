// The display language: names from `name:<lang>` tags / tile properties and labels from `international_labels`,
// falling back to the local name/label. The choice is remembered in localStorage across visits.

const STORAGE_KEY = "cosmo.explorer.lang";
/** "" = the local names as mapped. */
export const LOCAL = "";

// Offered even before a zone is loaded; the list grows with the languages found in loaded zones.
export const COMMON_LANGUAGES = ["en", "fr", "de", "es", "it", "nl", "pt", "lb", "ru", "zh", "ar"];

export function loadLanguage(storage: Pick<Storage, "getItem"> | undefined = safeStorage()): string {
  const v = storage?.getItem(STORAGE_KEY) ?? LOCAL;
  return /^[a-z]{2,3}([_-][A-Za-z0-9]+)?$/.test(v) ? v : LOCAL;
}

export function saveLanguage(lang: string, storage: Pick<Storage, "setItem"> | undefined = safeStorage()): void {
  storage?.setItem(STORAGE_KEY, lang);
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // private mode or storage disabled: the choice lasts for this page only
  }
}

export interface Nameable {
  name: string;
  label?: string | null;
  names?: Record<string, string>;
  labels?: Record<string, string>;
}

export function displayName(z: Nameable, lang: string): string {
  if (!lang) return z.name;
  if (z.names?.[lang]) return z.names[lang];
  // The API gives labels per language but not names: a label starts with the zone's own name in that
  // language (then the parents', ", "-separated), with " (zip)" appended to it when the zone has zip codes.
  const label = z.labels?.[lang];
  const first = label?.split(", ")[0]?.replace(/ \([^()]*\)$/, "");
  return first || z.name;
}

export function displayLabel(z: Nameable, lang: string): string {
  return (lang && z.labels?.[lang]) || z.label || z.name;
}

/** Name from a vector-tile feature's properties (`name:<lang>` or `name`). */
export function featureName(props: Record<string, unknown>, lang: string): string {
  const localized = lang ? props[`name:${lang}`] : undefined;
  return String(localized ?? props.name ?? "(unnamed)");
}
