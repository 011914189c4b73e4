/** A byte count as people read it: "512 B", "3.4 MiB", "1.02 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** "12.0 MiB read", or with a total "12.0 MiB of 40.0 MiB downloaded (30%)". */
export function bytesProgressText({ bytes, totalBytes }: { bytes: number; totalBytes?: number }, verb: string): string {
  return totalBytes ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)} ${verb} (${Math.floor((bytes / totalBytes) * 100)}%)` : `${formatBytes(bytes)} ${verb}`;
}
