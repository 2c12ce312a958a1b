// Standard availability tests: the data source of the monthly availability
// figure (SLA §13 monitoring). Their results land in AppAvailabilityResults of
// the Log Analytics workspace behind Application Insights.
//
// Test locations are EU-only (SLA §4). Location ids per the Azure Monitor
// documentation ("availability tests", population tags); the ids are
// historical and do not always match the city in their name:
//   emea-nl-ams-azr   West Europe (Netherlands)
//   emea-gb-db3-azr   North Europe (Ireland)
//   emea-fr-pra-edge  France Central
//   emea-ch-zrh-edge  France South (formerly listed as France Central)
// Left out on purpose: emea-se-sto-edge (UK West) and emea-ru-msa-edge
// (UK South), which are outside the EU/EEA.

@description('Azure region of the linked Application Insights component (EER, SLA §4).')
param location string

@description('Tags applied to every web test (the hidden-link tag is added here).')
param tags object

@description('Name of the Application Insights component the tests report to.')
param appInsightsName string

@description('Monitored endpoints: objects { name: short id (letters, digits, dashes), url: https URL that answers 200 when the service is up }.')
param monitoredUrls array

@description('Resource id of the action group the platform-down alerts go to (alerts.bicep).')
param actionGroupId string

@description('Locations that must fail at the same time before the platform counts as down: the contract\'s availability.min_failed_locations (sla_core/contract.py, default 2); at most the 4 test locations.')
@minValue(1)
@maxValue(4)
param minFailedLocations int

@description('Seconds between two runs of a test from one location (300, 600 or 900).')
@allowed([
  300
  600
  900
])
param frequencySeconds int = 300

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource webTests 'Microsoft.Insights/webtests@2022-06-15' = [for target in monitoredUrls: {
  name: 'avail-${target.name}-${appInsightsName}'
  location: location
  // Azure links a web test to its component through this tag.
  tags: union(tags, {
    'hidden-link:${appInsights.id}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'avail-${target.name}-${appInsightsName}'
    Name: target.name
    Description: 'SLA availability probe for ${target.url}'
    Enabled: true
    Kind: 'standard'
    Frequency: frequencySeconds
    Timeout: 30
    RetryEnabled: true
    Locations: [
      {
        Id: 'emea-nl-ams-azr'
      }
      {
        Id: 'emea-gb-db3-azr'
      }
      {
        Id: 'emea-fr-pra-edge'
      }
      {
        Id: 'emea-ch-zrh-edge'
      }
    ]
    Request: {
      RequestUrl: target.url
      HttpVerb: 'GET'
      FollowRedirects: true
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      IgnoreHttpStatusCode: false
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}]

// Platform down: the availability test fails in at least minFailedLocations locations
// at once, the contract's own definition of "down" (sla_core/availability.py). Severity 0: the
// measured service is down for the municipalities right now.
resource platformDown 'Microsoft.Insights/metricAlerts@2018-03-01' = [for (target, i) in monitoredUrls: {
  name: 'sla-platform-down-${target.name}'
  // Metric alert rules are global resources; the web test results stay in the component's region.
  location: 'global'
  tags: union(tags, {
    'hidden-link:${appInsights.id}': 'Resource'
    'hidden-link:${webTests[i].id}': 'Resource'
  })
  properties: {
    description: 'The platform is down: the availability test of ${target.url} fails in at least ${minFailedLocations} EU locations at once. Municipalities cannot work and the downtime counts against the SLA norm. Confirm from another network, escalate to the platform on-call, record the incident. Runbook: docs/operations.md#sla-platform-down'
    severity: 0
    enabled: true
    scopes: [
      webTests[i].id
      appInsights.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: webTests[i].id
      componentId: appInsights.id
      failedLocationCount: minFailedLocations
    }
    actions: [
      {
        actionGroupId: actionGroupId
      }
    ]
  }
}]

output names array = [for (target, i) in monitoredUrls: webTests[i].name]
