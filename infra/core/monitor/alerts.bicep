// Alert rules of the SLA monitor itself (SLA §13 monitoring): one action group and
// the rules that page it. The service measures someone else's availability, so its own
// failures must be loud. Every rule's description says what it means and what to do, and
// points at its section in docs/operations.md (the runbook); tests/infra/test_infra_alerts.py
// checks every query against the event names and dimensions sla_app/telemetry.py writes.
//
// The log rules read AppTraces of the workspace behind Application Insights: every
// telemetry event of the app is one trace line
//   sla.event <name> {"month":"2026-10","operation":"<id>","tenant":"enschede",...}
// which the shared KQL prelude below parses into Event (the name) and d (the dimensions).
// The platform-down rule lives next to the availability tests it watches
// (availability-tests.bicep); the failure rules use the standard Application Insights metrics.

@description('Azure region of the log alert rules (the workspace region; main.bicep restricts it to the EER, SLA §4).')
param location string

@description('Tags applied to the action group and every rule.')
param tags object

@description('Short environment name; part of the action group name.')
param environmentName string

@description('Resource id of the Log Analytics workspace that holds AppTraces (the scope of the log alert rules).')
param workspaceId string

@description('Resource id of the Application Insights component (the scope of the metric alert rules).')
param appInsightsId string

@description('E-mail addresses the alerts go to (the supplier\'s operators).')
param alertEmails array

@description('Webhook URLs the alerts are posted to (common alert schema), e.g. an on-call or chat tool. Give them at deployment time (-p); never commit a URL with a token in it.')
param alertWebhookUrls array

@description('IANA timezone of the local days (SLA_TIMEZONE).')
param timezone string

@description('Local hour (0-23) of the day after a local day by which its availability must be ingested completely.')
@minValue(0)
@maxValue(23)
param availabilityDeadlineHour int

@description('Failed function invocations (Application Insights requests/failed) in 15 minutes above which an alert fires.')
@minValue(0)
param functionFailureThreshold int

@description('Exceptions (Application Insights exceptions/count) in 15 minutes above which an alert fires.')
@minValue(0)
param exceptionThreshold int

@description('Webhook requests refused with 401 in 15 minutes above which an alert fires (a misconfigured or hostile sender).')
@minValue(0)
param webhookUnauthorizedThreshold int

// Parses the app's telemetry lines (sla_app/telemetry.py: MARKER, format_event) once for every rule.
var kqlPrelude = 'let localZone = \'${timezone}\';\nlet deadlineHour = ${availabilityDeadlineHour};\nlet events = AppTraces\n| where Message startswith "sla.event "\n| parse Message with "sla.event " Event:string " " Payload:string\n| extend d = parse_json(Payload);\n'

var runbook = 'Runbook: docs/operations.md'

// One entry per log alert rule. threshold/operator apply to the number of rows the query returns.
var logRules = [
  {
    name: 'sla-availability-not-ingested'
    severity: 1
    frequency: 'PT1H'
    window: 'P1D'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Availability data not fresh: yesterday (local) has no complete ingestion although its deadline hour has passed. The monthly figures cannot become final. Check the availability_daily timer and the Log Analytics query, then backfill the day. ${runbook}#sla-availability-not-ingested'
    query: '''
let localNow = datetime_utc_to_local(now(), localZone);
let due = format_datetime(startofday(localNow) - 1d, 'yyyy-MM-dd');
events
| where Event == "availability.ingested"
| where tostring(d.day) == due and tobool(d.complete)
| summarize completed = count()
| where hourofday(localNow) >= deadlineHour and completed == 0
'''
  }
  {
    name: 'sla-availability-day-incomplete'
    severity: 2
    frequency: 'PT1H'
    window: 'P1D'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Availability data not fresh: a local day was last ingested as incomplete (partial answer or a failed query). Reports of its month stay provisional. Look at the day in GET /api/health, find the cause in the audit log, then backfill the day. ${runbook}#sla-availability-day-incomplete'
    query: '''
events
| where Event in ("availability.ingested", "availability.ingest_failed")
| extend Day = tostring(d.day), Complete = tobool(d.complete)
| summarize arg_max(TimeGenerated, Complete) by Day
| where not(Complete)
'''
  }
  {
    name: 'sla-poison-messages'
    severity: 1
    frequency: 'PT15M'
    window: 'PT1H'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Monthly run health: a queue message failed every retry and sits in a poison queue (a tenant-month not computed or not delivered). Read the audit log entry, fix the cause, re-run the tenant-month and clear the poison message. ${runbook}#sla-poison-messages'
    query: '''
events
| where Event endswith ".poisoned" or (Event == "health.snapshot" and toint(d.poison_messages) > 0)
'''
  }
  {
    name: 'sla-report-failed'
    severity: 2
    frequency: 'PT15M'
    window: 'PT1H'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Monthly run health: computing a tenant-month failed (the queue retries it up to five times), or a month whose last day became complete could not be enqueued. Read the report.failed or availability.month_ready_failed audit entry; re-run the month if needed. ${runbook}#sla-report-failed'
    query: '''
events
| where Event in ("report.failed", "availability.month_ready_failed")
'''
  }
  {
    name: 'sla-report-provisional-past-deadline'
    severity: 2
    frequency: 'PT1H'
    window: 'PT2H'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Monthly run health: a report of last month is still provisional after the delivery deadline (days of availability missing). It is delivered marked as provisional; complete the missing days so the final report follows as a correction. ${runbook}#sla-report-provisional-past-deadline'
    query: '''
events
| where Event == "health.snapshot"
| summarize arg_max(TimeGenerated, d)
| where toint(d.provisional_past_deadline) > 0
'''
  }
  {
    name: 'sla-report-undelivered-past-deadline'
    severity: 1
    frequency: 'PT1H'
    window: 'PT2H'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Monthly run health: a municipality has not received last month\'s report after the delivery deadline (no report, no recipients, or a failed send). Check GET /api/health and the delivery records, fix the cause and deliver the month. ${runbook}#sla-report-undelivered-past-deadline'
    query: '''
events
| where Event == "health.snapshot"
| summarize arg_max(TimeGenerated, d)
| where toint(d.undelivered_past_deadline) > 0
'''
  }
  {
    name: 'sla-delivery-outcome-unknown'
    severity: 1
    frequency: 'PT15M'
    window: 'PT1H'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Monthly run health: an e-mail send has an unknown outcome and is flagged for a manual check; it is never resent automatically. Look in the sender mailbox Sent Items for the X-SLA-Delivery header, then resend with force=true only if it did not go out. ${runbook}#sla-delivery-outcome-unknown'
    query: '''
events
| where (Event == "delivery.failed" and tobool(d.needs_manual_check)) or (Event == "health.snapshot" and toint(d.manual_check) > 0)
'''
  }
  {
    name: 'sla-timers-stale'
    severity: 2
    frequency: 'PT1H'
    window: 'PT2H'
    operator: 'GreaterThan'
    threshold: 0
    description: 'Monthly run health: a timer function did not run when its schedule says it should have (daily timers 26 hours, monthly timers 32 days). Check that the function app runs and the timer is not disabled, then run its work by hand. ${runbook}#sla-timers-stale'
    query: '''
events
| where Event == "health.snapshot"
| summarize arg_max(TimeGenerated, d)
| where toint(d.stale_timers) > 0
'''
  }
  {
    name: 'sla-health-snapshot-missing'
    severity: 1
    frequency: 'PT1H'
    window: 'PT3H'
    operator: 'LessThan'
    threshold: 1
    description: 'The hourly health check (health_hourly) logged nothing for three hours, so the other alerts that read it are blind. The function app is stopped, failing at start, or cannot send telemetry. Check the app and its Application Insights connection. ${runbook}#sla-health-snapshot-missing'
    query: '''
events
| where Event == "health.snapshot"
'''
  }
  {
    name: 'sla-webhook-unauthorized'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    operator: 'GreaterThan'
    threshold: webhookUnauthorizedThreshold
    description: 'A burst of ticket webhook requests refused with 401: a ticket tool uses a wrong or rotated secret (its events are being lost) or someone is probing. Find the route, check the sender configuration against Key Vault, rotate if leaked. ${runbook}#sla-webhook-unauthorized'
    query: '''
events
| where Event == "http.unauthorized" and tostring(d.route) startswith "/api/tickets/"
'''
  }
]

// Application Insights standard metrics (pre-aggregated, independent of sampling).
var metricRules = [
  {
    name: 'sla-function-failures'
    severity: 2
    metric: 'requests/failed'
    threshold: functionFailureThreshold
    description: 'Function failures above the threshold in 15 minutes (HTTP 5xx answers, failed timer or queue invocations). Open the failures blade, group by operation name, read the exceptions. ${runbook}#sla-function-failures'
  }
  {
    name: 'sla-function-exceptions'
    severity: 3
    metric: 'exceptions/count'
    threshold: exceptionThreshold
    description: 'Exceptions above the threshold in 15 minutes. Usually a dependency (Table Storage, Log Analytics, Graph) failing; see the exceptions and their operation. ${runbook}#sla-function-exceptions'
  }
]

// Action groups are global resources: they hold only the notification targets, no SLA data.
resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-sla-${environmentName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'sla-ops'
    enabled: true
    emailReceivers: [for (address, i) in alertEmails: {
      name: 'email-${i}'
      emailAddress: address
      useCommonAlertSchema: true
    }]
    webhookReceivers: [for (url, i) in alertWebhookUrls: {
      name: 'webhook-${i}'
      serviceUri: url
      useCommonAlertSchema: true
    }]
  }
}

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in logRules: {
  name: rule.name
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: rule.name
    description: rule.description
    severity: rule.severity
    enabled: true
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    scopes: [
      workspaceId
    ]
    targetResourceTypes: [
      'Microsoft.OperationalInsights/workspaces'
    ]
    criteria: {
      allOf: [
        {
          query: '${kqlPrelude}${rule.query}'
          timeAggregation: 'Count'
          operator: rule.operator
          threshold: rule.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}]

// Metric alert rules are global resources too (the component's metrics stay in its region).
resource metricAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [for rule in metricRules: {
  name: rule.name
  location: 'global'
  tags: tags
  properties: {
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'above-threshold'
          metricNamespace: 'microsoft.insights/components'
          metricName: rule.metric
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: rule.threshold
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}]

output actionGroupId string = actionGroup.id
output logAlertNames array = [for (rule, i) in logRules: logAlerts[i].name]
