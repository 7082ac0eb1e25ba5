variable "account_id" {
  type        = string
  description = "Id of a linked account, e.g. from data.stackone_accounts."
}

data "stackone_account" "customer" {
  id = var.account_id
}

output "customer_account" {
  value = {
    connector = data.stackone_account.customer.connector
    owner     = data.stackone_account.customer.origin_owner_name
    status    = data.stackone_account.customer.status
  }
}
