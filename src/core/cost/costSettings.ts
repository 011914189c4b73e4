import * as z from 'zod';
import { booleanSetting, numberMapSetting, numberSetting, parseSettingsSection } from '../settingsSchema';

/** The remoteSwarm.cost.* settings (US dollars). */
const costSettingsSchema = z.object({
  pricePerHour: numberMapSetting(0),
  monthlyBudget: numberSetting(0, 0),
  templateBudgets: numberMapSetting(0),
  stopWhenOverBudget: booleanSetting(false),
});

export interface CostSettings {
  /** Flat $ per running hour by provider type, over what the provider declares (Docker and SSH hosts: 0 unless set). */
  pricePerHour: Readonly<Record<string, number>>;
  /** $ per month for everything; 0 sets no budget. */
  monthlyBudget: number;
  /** $ per month for each template's instances; 0 sets no budget. */
  templateBudgets: Readonly<Record<string, number>>;
  /** Stop the running, priced instances a budget covers once it is used up. */
  stopWhenOverBudget: boolean;
}

export function parseCostSettings(raw: unknown): CostSettings {
  return parseSettingsSection(costSettingsSchema, raw);
}
