/** A picture for each demo category in the resident's picker; others get a generic one. */
const ICONS: Record<string, string> = {
  NOISE: '🔊',
  GARBAGE: '🗑️',
  ROAD_DAMAGE: '🚧',
  STREET_LIGHT: '💡',
  WATER_LEAK: '💧',
  HEATING: '🔥',
  ILLEGAL_PARKING: '🚗',
  ILLEGAL_CONSTRUCTION: '🏗️',
  NEIGHBOUR_DISPUTE: '🤝',
  STRAY_ANIMALS: '🐕',
  PROPERTY_MANAGEMENT: '🏢',
  GREENERY: '🌳',
  FIRE_HAZARD: '🧯',
  OTHER: '📝',
};

export function categoryIcon(code: string): string {
  return ICONS[code] ?? '📍';
}

/** Categories a resident reports on the web; the elderly services come by call button. */
export function isReportable(category: { code: string; elderlyService: string | null }): boolean {
  return category.elderlyService === null;
}
