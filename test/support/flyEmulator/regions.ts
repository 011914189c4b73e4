/** Fly regions as platform { regions } lists them (a subset). */
export const REGIONS: readonly { code: string; name: string; latitude: number; longitude: number }[] = [
  { code: 'ams', name: 'Amsterdam, Netherlands', latitude: 52.37, longitude: 4.9 },
  { code: 'arn', name: 'Stockholm, Sweden', latitude: 59.65, longitude: 17.93 },
  { code: 'cdg', name: 'Paris, France', latitude: 48.86, longitude: 2.35 },
  { code: 'dfw', name: 'Dallas, Texas (US)', latitude: 32.78, longitude: -96.8 },
  { code: 'ewr', name: 'Secaucus, NJ (US)', latitude: 40.79, longitude: -74.06 },
  { code: 'fra', name: 'Frankfurt, Germany', latitude: 50.11, longitude: 8.68 },
  { code: 'gru', name: 'Sao Paulo, Brazil', latitude: -23.55, longitude: -46.63 },
  { code: 'iad', name: 'Ashburn, Virginia (US)', latitude: 39.04, longitude: -77.49 },
  { code: 'jnb', name: 'Johannesburg, South Africa', latitude: -26.2, longitude: 28.04 },
  { code: 'lax', name: 'Los Angeles, California (US)', latitude: 33.94, longitude: -118.41 },
  { code: 'lhr', name: 'London, United Kingdom', latitude: 51.51, longitude: -0.13 },
  { code: 'nrt', name: 'Tokyo, Japan', latitude: 35.68, longitude: 139.77 },
  { code: 'ord', name: 'Chicago, Illinois (US)', latitude: 41.88, longitude: -87.63 },
  { code: 'sin', name: 'Singapore, Singapore', latitude: 1.35, longitude: 103.99 },
  { code: 'sjc', name: 'San Jose, California (US)', latitude: 37.35, longitude: -121.96 },
  { code: 'syd', name: 'Sydney, Australia', latitude: -33.87, longitude: 151.21 },
  { code: 'yyz', name: 'Toronto, Canada', latitude: 43.65, longitude: -79.38 },
];

/** Where a machine lands when the request names no region (Fly: near the caller). */
export const NEAREST_REGION = 'iad';

export function isRegion(code: string): boolean {
  return REGIONS.some((region) => region.code === code);
}
