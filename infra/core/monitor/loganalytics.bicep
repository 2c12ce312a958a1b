// Log Analytics workspace: the sink of Application Insights (and so of the
// availability results, table AppAvailabilityResults) and of every diagnostic
// setting (SLA §10.1 audit logging, §13 monitoring).

@description('Name of the Log Analytics workspace.')
param name string

@description('Azure region; main.bicep restricts it to the EER (SLA §4).')
param location string

@description('Tags applied to the workspace.')
param tags object

@description('Days the workspace keeps its data (audit events, availability results); SLA §10.1 asks 400 days of audit log.')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      // SLA §10: identity-only access; no workspace shared keys.
      disableLocalAuth: true
      enableLogAccessUsingOnlyResourcePermissions: true
    }
    // Public network access, stated: ingestion stays public because Application Insights
    // and the diagnostic settings write here without an Azure Monitor Private Link Scope, and query stays
    // public for the function app (no VNet integration), the portal and the log alert rules. Access is by
    // Entra ID and resource-scoped RBAC only: no shared keys (disableLocalAuth).
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

output id string = workspace.id
output name string = workspace.name
@description('Workspace (customer) id that the app queries for AppAvailabilityResults.')
output customerId string = workspace.properties.customerId
