// Storage account of the Functions host and of the app's tables and queues.
// Identity-only (no shared keys, no public blobs), TLS 1.2, encrypted twice
// (SLA §10); blob soft delete, versioning and point-in-time restore (SLA §13).

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region; main.bicep restricts it to the EER (SLA §4).')
param location string

@description('Tags applied to the storage account.')
param tags object

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Queue that carries one message per tenant-month (app setting SLA_MONTHLY_QUEUE_NAME).')
param monthlyQueueName string

@description('Queue that carries one delivery message per tenant (app setting SLA_DELIVERY_QUEUE_NAME).')
param deliveryQueueName string

@description('Days deleted blobs, containers and old versions stay recoverable (SLA §13).')
@minValue(2)
@maxValue(365)
param blobSoftDeleteDays int

@description('Resource id of the Log Analytics workspace that receives the storage audit logs (SLA §10.1).')
param workspaceId string

@description('Put a CanNotDelete lock on the account so that deleting it (and every backup in it) takes a deliberate extra step (SLA §13).')
param enableDeleteLock bool

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35: Flex Consumption without VNet integration reaches its host storage over the public endpoint; every request needs an Entra token because shared keys are disabled.
  // checkov:skip=CKV_AZURE_59: Same as CKV_AZURE_35: the public endpoint stays on without VNet integration; anonymous and key-based access are both disabled.
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  // SLA §13: geo-zone-redundant; the geo pair of every allowed region lies in the EER (SLA §4).
  sku: {
    name: 'Standard_GZRS'
  }
  properties: {
    accessTier: 'Hot'
    // SLA §10: encryption in transit and identity-only access.
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    // SLA §10: encryption at rest, infrastructure (double) encryption, account-scoped keys for tables and queues too.
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        file: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

// SLA §13 backups: soft delete, versioning, change feed and point-in-time restore.
resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    isVersioningEnabled: true
    changeFeed: {
      enabled: true
      retentionInDays: blobSoftDeleteDays
    }
    // Point-in-time restore must end before the soft-delete window does.
    restorePolicy: {
      enabled: true
      days: blobSoftDeleteDays - 1
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobServices
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueServices 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource monthlyQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueServices
  name: monthlyQueueName
}

resource deliveryQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueServices
  name: deliveryQueueName
}

resource tableServices 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// SLA §10.1 audit logging: every read, write and delete on tables, queues and blobs.
resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: tableServices
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: queueServices
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: blobServices
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource deleteLock 'Microsoft.Authorization/locks@2020-05-01' = if (enableDeleteLock) {
  name: 'do-not-delete-sla-data'
  scope: storage
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds the SLA tables, queues and deployment package (SLA §13). Remove this lock before tearing down.'
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
output queueEndpoint string = storage.properties.primaryEndpoints.queue
