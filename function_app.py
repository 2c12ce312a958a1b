"""Azure Functions entry point (Python v2 programming model): registers the blueprints, nothing else.

No clients, settings or network at import time: the handlers get the application
context from ``sla_app.bootstrap.context()`` on first use.
"""

import azure.functions as func

from sla_app.functions.admin import bp as admin_bp
from sla_app.functions.availability import bp as availability_bp
from sla_app.functions.delivery import bp as delivery_bp
from sla_app.functions.health import bp as health_bp
from sla_app.functions.monthly import bp as monthly_bp
from sla_app.functions.overview import bp as overview_bp
from sla_app.functions.portal import bp as portal_bp
from sla_app.functions.tickets import bp as tickets_bp

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in (tickets_bp, availability_bp, monthly_bp, admin_bp, delivery_bp, overview_bp, portal_bp):
    app.register_functions(blueprint)
app.register_functions(health_bp)
