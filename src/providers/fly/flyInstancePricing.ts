import type { HourlyPrice } from '../../core/cost/pricing';
import type { Instance } from '../../core/models';
import { flyGuestFor } from './flyGuest';
import { flyPricePerHour, flyVolumePricePerHour } from './flyPricing';

/** A Fly instance's price from its configuration: the guest its resources make, and its volume. */
export function flyInstancePricing({ config: { resources } }: Instance): HourlyPrice {
  const stopped = flyVolumePricePerHour(resources.storageGB);
  let running: number | undefined;
  try {
    running = flyPricePerHour(flyGuestFor(resources), resources.storageGB);
  } catch {
    // Resources Fly would not accept (an instance adopted with a hand-edited config) have no machine price.
  }
  return { running: running ?? stopped, stopped };
}
