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

output names array = [for (target, i) in monitoredUrls: webTests[i].name]
