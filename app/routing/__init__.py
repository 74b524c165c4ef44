"""Routing by tiered responsibility (分级负责、归口管理、属地管理): rules and the router."""
