"""Official documents (公文): one engine renders every paper the system issues."""

from flask import Blueprint

bp = Blueprint("documents", __name__)
