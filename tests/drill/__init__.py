"""The month-end drill: the production sequence in-process over Azurite with a simulated clock."""
