// Workspace-based Application Insights with local (instrumentation-key)
// authentication disabled: telemetry is accepted only with an Entra token
// (SLA §10 role-based access; §13 monitoring).

@description('Name of the Application Insights component.')
param name string

@description('Azure region; main.bicep restricts it to the EER (SLA §4).')
param location string

@description('Tags applied to the component.')
param tags object

@description('Resource id of the Log Analytics workspace that stores the telemetry.')
param workspaceId string

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceId
    IngestionMode: 'LogAnalytics'
    // SLA §10: only Entra-authenticated ingestion (Monitoring Metrics Publisher role).
    DisableLocalAuth: true
    // Public network access, stated: ingestion stays public because the standard availability
    // tests (the SLA data source) report from the Microsoft probe locations, and the app has no VNet or
    // Private Link scope to send over; each ingestion still needs an Entra token (DisableLocalAuth). Query
    // stays public for the portal and the alerts; it needs Entra ID and an Azure RBAC role.
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

output id string = appInsights.id
output name string = appInsights.name
