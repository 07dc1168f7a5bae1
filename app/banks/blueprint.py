from flask import Blueprint

bp = Blueprint("banks", __name__, url_prefix="/banks", template_folder="templates")
