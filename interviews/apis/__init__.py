"""Scheduling endpoints, one module per area; each APIView translates one resource's operations."""
