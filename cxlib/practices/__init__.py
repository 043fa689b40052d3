"""Practices: the four best practices (P1-P4) and the roadmap, one function per report section.

The notebooks call these: a client's data in, a Section out.
"""
from .sections import (capabilities, loyalty_detail, open_comments, outcomes, overview,
                       perception_gaps, roadmap, survey_summary, touchpoints)

__all__ = ["capabilities", "loyalty_detail", "open_comments", "outcomes", "overview",
           "perception_gaps", "roadmap", "survey_summary", "touchpoints"]
