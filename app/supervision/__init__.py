"""Electronic supervision (电子监察): warnings issued by a periodic set-based sweep."""

from flask import Blueprint

bp = Blueprint("supervision", __name__)
