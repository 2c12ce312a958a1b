// Key Vault for the webhook secrets that the function app reads through
// Key Vault references (SLA §10: secrets out of configuration, access by
// Azure RBAC only, recoverable for 90 days and never purgeable early).

@description('Name of the key vault (3-24 letters, digits and dashes).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region; main.bicep restricts it to the EER (SLA §4).')
param location string

@description('Tags applied to the key vault.')
param tags object

@description('Resource id of the Log Analytics workspace that receives the vault audit log (SLA §10.1).')
param workspaceId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109: Flex Consumption resolves Key Vault references over the public endpoint unless the app has VNet integration; every secret read needs an Entra token and the Key Vault Secrets User role.
  // checkov:skip=CKV_AZURE_189: Same as CKV_AZURE_109: public network access stays on without VNet integration; access is RBAC-only and audited.
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // SLA §10: Azure RBAC instead of access policies.
    enableRbacAuthorization: true
    // SLA §13: deleted secrets and the vault itself stay recoverable.
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// SLA §10.1: every secret read is an audit event in Log Analytics.
resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
