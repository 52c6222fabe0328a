/** report.json: the same model as the markdown, numbers as JSON numbers, keys in a fixed order. */
import type { CheckResult } from '../aspects/types';
import { HOURS_PER_MONTH } from '../lib/pricing/estimate';
import { ReportModel, sourceLabel } from './model';

function finding(r: CheckResult): object {
  return {
    ruleId: r.ruleId,
    title: r.title,
    source: r.source,
    resource: r.logicalId,
    resourceType: r.resourceType,
    constructPath: r.constructPath,
    status: r.status,
    severity: r.severity,
    evidence: r.evidence,
    fix: r.fix,
    acknowledgement: r.acknowledgement ?? null,
  };
}

export function reportJson(model: ReportModel): object {
  return {
    pricing: {
      source: model.pricing.source,
      snapshotChecked: model.pricing.snapshotChecked,
      fellBack: model.pricing.fellBack,
      hoursPerMonth: HOURS_PER_MONTH,
    },
    environments: model.environments.map((e) => ({
      name: e.name,
      stack: e.stack,
      region: e.region,
      instanceClass: e.instanceClass,
      monthlyCostUsd: e.monthlyCostUsd.toNumber(),
      lineItems: e.lineItems.map((i) => ({
        resource: i.resource,
        description: i.description,
        quantity: i.quantity.toNumber(),
        unit: i.unit,
        unitPriceUsd: i.unitPriceUsd.toNumber(),
        monthlyUsd: i.monthlyUsd.toNumber(),
        sku: i.sku,
        usageType: i.usageType,
        source: sourceLabel(i),
        category: i.category,
        ...(i.tiered ? { tiered: true } : {}),
        ...(i.fallbackReason ? { fallbackReason: i.fallbackReason } : {}),
      })),
      unpriced: e.unpriced.map((u) => ({
        resource: u.resource,
        description: u.description,
        quantity: u.quantity === null ? null : u.quantity.toNumber(),
        unit: u.unit,
        usageType: u.usageType,
        reason: u.reason,
        category: u.category,
      })),
      notBilled: e.notBilled,
      freeTiers: e.freeTiers,
      assumptions: e.assumptions,
      controls: e.controls,
      findings: e.findings.map(finding),
      acknowledgements: e.acknowledgements,
    })),
  };
}

export function renderJson(model: ReportModel): string {
  return `${JSON.stringify(reportJson(model), null, 2)}\n`;
}
