"""greendiag: industrial park green diagnosis (北京市工业园区绿色诊断工作指南, 2024) as data, rules and reports.

Public API: load a catalogue (optionally extended by overlays), load a park dataset, diagnose it, write the pack;
score_value scores one value of one indicator without a dataset (what-if). The reference is docs/api.md.
Public besides what __all__ lists: the modules greendiag.reports (report files and packs, docs/reports.md),
greendiag.excel (the data-collection workbook, docs/excel.md), greendiag.testing (the testing kit, docs/testing.md),
greendiag.errors, and greendiag.engine's evaluate, RuleSet and Cond (the evaluator the kit's random rule sets run on,
docs/engine.md); everything else is private.
"""

from .batch import BatchResult, diagnose_many
from .catalogue import load_catalogue, registered_overlays
from .dataset import dataset_from_dict, load_dataset
from .diagnosis import DemonstrationEntry, Diagnosis, Finding, ProjectRow, Recommendation, diagnose
from .followup import FollowUp, FollowupError, load_followup, write_followup, write_followup_template
from .errors import (CatalogueError, DatasetError, DiagnosisFileError, EngineError, GreendiagError, InputFileError,
                     OverlayConflictError, Problem, ReportError, RuleError, UnitError, UnknownEntryError)
from .models import Catalogue, ParkDataset
from .pack import write_pack
from .rulebook import RuleBase, load_rules, run_rule_tests
from .scoring import what_if_score as score_value

__version__ = "0.1.0"

__all__ = [
    "load_catalogue", "registered_overlays", "load_dataset", "dataset_from_dict",
    "Catalogue", "ParkDataset",
    "diagnose", "diagnose_many", "BatchResult", "Diagnosis", "Finding", "Recommendation", "ProjectRow",
    "DemonstrationEntry", "write_pack",
    "score_value",
    "load_rules", "RuleBase", "run_rule_tests",
    "GreendiagError", "InputFileError", "CatalogueError", "OverlayConflictError", "DatasetError", "UnitError",
    "RuleError", "EngineError", "ReportError", "DiagnosisFileError", "UnknownEntryError", "Problem",
    "load_followup", "FollowUp", "FollowupError", "write_followup", "write_followup_template",
]
