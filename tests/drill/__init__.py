"""The month-end drill (issue 8): the production sequence in-process over Azurite with a simulated clock."""
